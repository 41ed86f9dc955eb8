package actors

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/onecode/onecode/persistence/directory"
)

// DirectoryCacheOptions bound the canteen hot path's cache.
type DirectoryCacheOptions struct {
	// PupilTTL is how long a pupil read stays (default 1 min): a renamed pupil or one
	// who left shows within it. Money never depends on it: card generation, loss and
	// balance are the account grain's.
	PupilTTL time.Duration
	// MaxPupils bounds the pupils kept (default 200,000; past it the cache is reset).
	MaxPupils int
	// CatalogCheck is how often a canteen's catalog version is re-read (default 1 s):
	// a price change reaches every terminal within it.
	CatalogCheck time.Duration
	// MaxDishes bounds one canteen's catalog (default 5,000).
	MaxDishes int
	Now       func() time.Time
}

// DirectoryCache keeps what every payment reads from the directory in memory: the pupil
// of a card and the canteen's dish catalog (reloaded when its version changes). Without
// it a payment costs one directory query per cart line plus one for the pupil, which is
// most of the switch's work under load.
type DirectoryCache struct {
	dir  directory.Store
	opts DirectoryCacheOptions

	mu       sync.Mutex
	pupils   map[pupilKey]pupilEntry
	catalogs map[string]*catalog
}

type pupilKey struct{ school, student string }

type pupilEntry struct {
	p       directory.Pupil
	expires time.Time
}

type catalog struct {
	mu      sync.Mutex
	version int64
	checked time.Time
	dishes  map[string]directory.Dish
}

// NewDirectoryCache returns a cache in front of dir.
func NewDirectoryCache(dir directory.Store, opts DirectoryCacheOptions) *DirectoryCache {
	if opts.PupilTTL <= 0 {
		opts.PupilTTL = time.Minute
	}
	if opts.MaxPupils <= 0 {
		opts.MaxPupils = 200_000
	}
	if opts.CatalogCheck <= 0 {
		opts.CatalogCheck = time.Second
	}
	if opts.MaxDishes <= 0 {
		opts.MaxDishes = 5_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &DirectoryCache{dir: dir, opts: opts, pupils: map[pupilKey]pupilEntry{}, catalogs: map[string]*catalog{}}
}

// Pupil returns the pupil of (school, student no) with the directory's errors; misses
// are not cached, so a pupil imported a moment ago pays at once.
func (c *DirectoryCache) Pupil(ctx context.Context, school, student string) (directory.Pupil, error) {
	k := pupilKey{school, student}
	now := c.opts.Now()
	c.mu.Lock()
	e, ok := c.pupils[k]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.p, nil
	}
	p, err := c.dir.PupilByStudentNo(ctx, school, student)
	if err != nil {
		return p, err
	}
	c.mu.Lock()
	if len(c.pupils) >= c.opts.MaxPupils {
		c.pupils = map[pupilKey]pupilEntry{}
	}
	c.pupils[k] = pupilEntry{p: p, expires: now.Add(c.opts.PupilTTL)}
	c.mu.Unlock()
	return p, nil
}

// Dish returns a dish of the canteen's catalog as of at most CatalogCheck ago, with the
// directory's errors (ErrNotFound for an unknown barcode).
func (c *DirectoryCache) Dish(ctx context.Context, canteen, barcode string) (directory.Dish, error) {
	c.mu.Lock()
	cat, ok := c.catalogs[canteen]
	if !ok {
		cat = &catalog{version: -1}
		c.catalogs[canteen] = cat
	}
	c.mu.Unlock()

	cat.mu.Lock()
	defer cat.mu.Unlock()
	if err := c.refresh(ctx, canteen, cat); err != nil {
		return directory.Dish{}, err
	}
	d, ok := cat.dishes[barcode]
	if !ok {
		return directory.Dish{}, directory.ErrNotFound
	}
	return d, nil
}

// Invalidate makes the next read of the canteen's catalog re-check its version (a
// session that saw a newer version calls it, so its own next sale prices right).
func (c *DirectoryCache) Invalidate(canteen string) {
	c.mu.Lock()
	cat, ok := c.catalogs[canteen]
	c.mu.Unlock()
	if !ok {
		return
	}
	cat.mu.Lock()
	cat.checked = time.Time{}
	cat.mu.Unlock()
}

// refresh re-reads the catalog version at most every CatalogCheck and reloads the
// catalog when it changed. cat.mu is held.
func (c *DirectoryCache) refresh(ctx context.Context, canteen string, cat *catalog) error {
	now := c.opts.Now()
	if cat.dishes != nil && now.Sub(cat.checked) < c.opts.CatalogCheck {
		return nil
	}
	v, err := c.dir.CatalogVersion(ctx, canteen)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return err
	}
	if cat.dishes != nil && v == cat.version {
		cat.checked = now
		return nil
	}
	dishes := map[string]directory.Dish{}
	after := ""
	for len(dishes) < c.opts.MaxDishes {
		page, err := c.dir.ListDishes(ctx, canteen, after, directory.MaxPage)
		if err != nil {
			return err
		}
		for _, d := range page {
			dishes[d.Barcode] = d
		}
		if len(page) < directory.MaxPage {
			break
		}
		after = page[len(page)-1].Barcode
	}
	cat.version, cat.dishes, cat.checked = v, dishes, now
	return nil
}

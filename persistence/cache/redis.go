package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// MaxPrefixLen bounds RedisOptions.Prefix.
const MaxPrefixLen = 64

// RedisOptions configure a Redis.
type RedisOptions struct {
	// Prefix starts every key written (e.g. "onecode:"), so that one Redis
	// can serve several deployments or tests. Key/values live under
	// Prefix+"kv:", rate limit states under Prefix+"rate:".
	Prefix string
}

// Redis is a Cache on a Redis server (or cluster) reached through go-redis;
// rate limits use redis_rate (GCRA in a Lua script, on the server's clock).
type Redis struct {
	c       redis.UniversalClient
	prefix  string
	limiter *redis_rate.Limiter
}

var _ Cache = (*Redis)(nil)

// NewRedis returns a Redis on client c, which the caller keeps and closes.
func NewRedis(c redis.UniversalClient, opts RedisOptions) (*Redis, error) {
	if c == nil {
		return nil, invalid("nil Redis client")
	}
	if len(opts.Prefix) > MaxPrefixLen {
		return nil, invalid("prefix of %d bytes, want at most %d", len(opts.Prefix), MaxPrefixLen)
	}
	return &Redis{c: c, prefix: opts.Prefix, limiter: redis_rate.NewLimiter(prefixed{c: c, prefix: opts.Prefix})}, nil
}

func (r *Redis) key(k string) string { return r.prefix + "kv:" + k }

// unavailable wraps a Redis failure.
func unavailable(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("cache: %s: %w", op, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}

// Set implements KV.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := validateSet(key, value, ttl); err != nil {
		return err
	}
	if err := r.c.Set(ctx, r.key(key), value, ttl).Err(); err != nil {
		return unavailable("set", err)
	}
	return nil
}

// SetNX implements KV.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := validateSet(key, value, ttl); err != nil {
		return false, err
	}
	ok, err := r.c.SetNX(ctx, r.key(key), value, ttl).Result()
	if err != nil {
		return false, unavailable("setnx", err)
	}
	return ok, nil
}

// Get implements KV.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	b, err := r.c.Get(ctx, r.key(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, unavailable("get", err)
	}
	return b, nil
}

// Delete implements KV.
func (r *Redis) Delete(ctx context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	n, err := r.c.Del(ctx, r.key(key)).Result()
	if err != nil {
		return false, unavailable("del", err)
	}
	return n == 1, nil
}

// incr increments KEYS[1], giving it a TTL of ARGV[1] ms when it was
// created by this increment.
var incr = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then
  redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
return n
`)

// Incr implements KV.
func (r *Redis) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	if err := validateSet(key, nil, ttl); err != nil {
		return 0, err
	}
	n, err := incr.Run(ctx, r.c, []string{r.key(key)}, ttl.Milliseconds()).Int64()
	if err != nil {
		var re redis.Error
		if errors.As(err, &re) {
			return 0, invalid("incr %q: %v", key, err)
		}
		return 0, unavailable("incr", err)
	}
	return n, nil
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Result, error) {
	if err := ValidateKey(key); err != nil {
		return Result{}, err
	}
	if err := ValidateLimit(l); err != nil {
		return Result{}, err
	}
	res, err := r.limiter.Allow(ctx, key, redis_rate.Limit{Rate: l.Rate, Burst: l.Burst, Period: l.Period})
	if err != nil {
		return Result{}, unavailable("rate limit", err)
	}
	out := Result{Allowed: res.Allowed > 0, Remaining: res.Remaining}
	if !out.Allowed {
		out.RetryAfter = max(res.RetryAfter, time.Millisecond)
	}
	return out, nil
}

// prefixed is the client as redis_rate sees it: every key it names
// ("rate:<key>") is put under the prefix.
type prefixed struct {
	c      redis.UniversalClient
	prefix string
}

func (p prefixed) keys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = p.prefix + k
	}
	return out
}

func (p prefixed) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return p.c.Eval(ctx, script, p.keys(keys), args...)
}

func (p prefixed) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return p.c.EvalSha(ctx, sha1, p.keys(keys), args...)
}

func (p prefixed) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return p.c.EvalRO(ctx, script, p.keys(keys), args...)
}

func (p prefixed) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return p.c.EvalShaRO(ctx, sha1, p.keys(keys), args...)
}

func (p prefixed) ScriptExists(ctx context.Context, hashes ...string) *redis.BoolSliceCmd {
	return p.c.ScriptExists(ctx, hashes...)
}

func (p prefixed) ScriptLoad(ctx context.Context, script string) *redis.StringCmd {
	return p.c.ScriptLoad(ctx, script)
}

func (p prefixed) Del(ctx context.Context, keys ...string) *redis.IntCmd {
	return p.c.Del(ctx, p.keys(keys)...)
}

// Package webui serves the switch's web faces from the binary itself: the parent H5
// under /h5/, the staff console under /console/ (both single-page apps built by Vite
// from web/ into dist/, committed, and embedded here), and a small landing page at /
// linking both. So `onecode serve` needs nothing but its own binary to show them.
//
// Every answer carries the security headers (a Content-Security-Policy without inline
// scripts or styles, frame-ancestors 'none', no referrer, nosniff). Content-hashed
// assets are cached for a year; index.html is revalidated on every load, so a new
// binary's pages are picked up at once. Paths inside a face that are not files fall
// back to its index.html (client-side routes); a missing asset is a 404.
package webui

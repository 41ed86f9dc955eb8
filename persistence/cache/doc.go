// Package cache provides the short-lived, rebuildable state of the edge:
// rate limits, sessions, one-time codes and binding tickets. It is never
// money truth: losing all of it logs people out and resets limits, nothing
// more.
//
// One interface set (KV, Limiter; Cache is both), two implementations:
// Memory (in-process, bounded and expiring, for a single node) and Redis
// (go-redis; rate limits by redis_rate's GCRA). cachetest is the
// conformance suite both pass. Every key an implementation writes carries
// its configured prefix, and every value expires.
package cache

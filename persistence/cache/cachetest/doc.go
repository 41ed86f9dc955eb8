// Package cachetest is the conformance suite of cache.Cache: every
// implementation runs it (Memory in process, Redis on a real server).
package cachetest

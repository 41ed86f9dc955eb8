// Package redistest gives each integration test a Redis client and a key
// prefix of its own, deleting the test's keys when it ends, so tests of
// every package can share one server in parallel. It reads:
//
//	ONECODE_TEST_REDIS_ADDR        server address (default 127.0.0.1:6379)
//	CI=true or ONECODE_TEST_REQUIRE_SERVICES=1
//	                               an unreachable server fails the test instead of skipping it
package redistest

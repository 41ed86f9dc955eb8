// Package pgtest gives each integration test its own fresh PostgreSQL
// database, so that tests of every package can run in parallel against one
// server without sharing state. It is the only place that reads the
// test-server environment variables:
//
//	ONECODE_TEST_PG_DSN            admin DSN (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
//	CI=true or ONECODE_TEST_REQUIRE_SERVICES=1
//	                               an unreachable server fails the test instead of skipping it
package pgtest

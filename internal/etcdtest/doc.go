// Package etcdtest gives each integration test an etcd and a key prefix of its own,
// deleting the test's keys when it ends, so tests can share one etcd (the one
// scripts/services.sh's ensure_etcd finds or starts). It reads:
//
//	ONECODE_TEST_ETCD_ENDPOINTS    comma-separated endpoints (default 127.0.0.1:2379)
//	CI=true or ONECODE_TEST_REQUIRE_ETCD=1
//	                               an unreachable etcd fails the test instead of skipping it
package etcdtest

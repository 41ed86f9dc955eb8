-- One row per event: the idempotency record (on the first event of a command)
-- and the double-entry postings move into the events row. A payment was four
-- rows (event, command, two postings) and three foreign-key checks; it is now
-- one row, and an append needs no read before its insert: the unique keys
-- (account, seq) and (account, idem_key) are the whole fence.
ALTER TABLE events
    ADD COLUMN idem_key        text CHECK (idem_key <> '' AND octet_length(idem_key) <= 128),
    ADD COLUMN fingerprint     text,
    ADD COLUMN outcome         bytea,
    ADD COLUMN posting_ledgers text[] NOT NULL DEFAULT '{}',
    ADD COLUMN posting_amounts bigint[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT events_command_complete
        CHECK ((idem_key IS NULL) = (fingerprint IS NULL) AND (idem_key IS NULL) = (outcome IS NULL)),
    ADD CONSTRAINT events_postings_paired
        CHECK (cardinality(posting_ledgers) = cardinality(posting_amounts));

UPDATE events e SET idem_key = c.idem_key, fingerprint = c.fingerprint, outcome = c.outcome
  FROM commands c WHERE c.account = e.account AND c.seq = e.seq;

UPDATE events e SET posting_ledgers = p.ledgers, posting_amounts = p.amounts
  FROM (SELECT account, seq, array_agg(ledger ORDER BY idx) AS ledgers, array_agg(amount ORDER BY idx) AS amounts
          FROM postings GROUP BY account, seq) p
 WHERE p.account = e.account AND p.seq = e.seq;

CREATE UNIQUE INDEX events_idem_key ON events (account, idem_key) WHERE idem_key IS NOT NULL;

DROP TABLE commands;
DROP TABLE postings;

-- The former tables, as views for reports and checks.
CREATE VIEW commands AS
SELECT account, idem_key, fingerprint, outcome, seq FROM events WHERE idem_key IS NOT NULL;

CREATE VIEW postings AS
SELECT e.account, e.seq, (p.ord - 1)::smallint AS idx, p.ledger, p.amount
  FROM events e, unnest(e.posting_ledgers, e.posting_amounts) WITH ORDINALITY AS p(ledger, amount, ord);

// Package migrate applies a store's embedded SQL migrations, once, in
// version order, on PostgreSQL or SQLite.
//
// It exists because every store (journal, directory, orders) on both
// databases needs the same small runner, and six hand-kept copies of it had
// already begun to drift. One runner keeps the rules in one place:
//
//   - A migration is a file NNNN_description.sql at the root of an fs.FS;
//     its version is the decimal number before the first "_" (0 ≤ version ≤
//     2³¹−1). Files run in ascending version order; two files with the same
//     version are an error.
//   - Each store records what it applied in its own table (for example
//     journal_migrations), with the columns (version, name, applied_at), so
//     that several stores can share one database or one database file.
//     A version already recorded is skipped, which makes a second run a
//     no-op; the file's content is not compared.
//   - All pending migrations run in one transaction: either every one of
//     them is applied and recorded, or (on the first failure, reported as a
//     *FileError naming the file) none is. PostgreSQL serialises concurrent
//     runners with pg_advisory_xact_lock(lockKey), one key per store; SQLite
//     with the write lock of BEGIN IMMEDIATE.
//   - Input is bounded: at most MaxFiles files of at most MaxFileBytes each.
//
// It has no down migrations, no checksums and no locking beyond that
// transaction: the stores need nothing more.
package migrate

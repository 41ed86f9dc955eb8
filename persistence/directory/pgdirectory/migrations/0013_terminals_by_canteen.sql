-- The terminals of a canteen, listed by id (ListTerminals, the staff console).
CREATE INDEX terminals_canteen ON terminals (canteen_id, id COLLATE "C");

-- Comparator groups as data (issue 10): (council, peer) pairs loaded from a comparator group
-- file (CIPFA nearest neighbours, LG Inform / NHS England comparison groups), both named by the
-- council register's name and ONS code. One group per council per source file name; a council's
-- comparator group is its pairs from the most recent load. Region and council-type groups come
-- from the register and are not stored. The councils table gains the register fields so a loaded
-- council lines up with its ASCOF rows (benchmarks.area_code) and its region's and England's.
CREATE TABLE peer_groups (
    load_id     INTEGER NOT NULL,      -- the 'peers' load the pair came from
    council     VARCHAR NOT NULL,      -- register name
    ons_code    VARCHAR,
    peer        VARCHAR NOT NULL,      -- register name of the comparator council
    peer_code   VARCHAR,
    peer_rank   INTEGER,               -- 1 = nearest, when the file ranks them
    source      VARCHAR NOT NULL       -- file name
);

ALTER TABLE councils ADD COLUMN region_code VARCHAR;
ALTER TABLE councils ADD COLUMN council_type VARCHAR;
-- Councils remembered before this migration keep NULL here: pipeline/analysis/geography.py
-- reads region and type from the register by ONS code (the register is data in surveys/).

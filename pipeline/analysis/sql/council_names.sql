-- Every council name the database holds.
SELECT name FROM councils

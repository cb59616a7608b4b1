-- The ONS code a council was stored with (migration 005), to find its register entry.
SELECT ons_code FROM councils WHERE name = $council AND ons_code IS NOT NULL

"""Running the survey cycle: drawing the sample from the budget register, invitation codes,
the mail-merge and paper questionnaires, the public survey site and paper keying.

Everything here that writes to the database goes through the same transaction and loader rules
as ``pipeline.ingest``; survey returns collected online join the database through the same
validation, pseudonyms and quarantine as a loaded file.
"""

"""The public survey site and paper keying (issue 11); see app.py and staff.py."""

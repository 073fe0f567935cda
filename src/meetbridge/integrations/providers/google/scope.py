"""The one OAuth scope meetbridge asks Google for: the admin authorises it in Step 2."""

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"

"""gunicorn's settings for this project, read from the working directory whenever gunicorn
starts here (the command line overrides them).

The longest request line gunicorn takes is raised to its maximum: a list URL with several
filters must reach Django, which answers one above MAX_URL_LENGTH (8000) with a 414 in the
API's error format. Past this limit gunicorn answers 414 itself.
"""

limit_request_line = 8190

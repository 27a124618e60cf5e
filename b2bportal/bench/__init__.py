"""The benchmark behind ``make bench``: data at scale, in-process timings, load over HTTP.

``data`` loads a synthetic order book with COPY; ``inprocess`` times pages and
actions through the full middleware stack against a bare baseline view;
``load`` drives gunicorn over loopback; ``report`` prints and writes the results.
"""

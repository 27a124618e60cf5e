"""The REST API's endpoints: access -> selector -> input shape -> one service -> answer.

Every write goes through the service the page uses; a refusal is an error in one
shape (``api.errors``) and changes nothing. Another company's object is a 404.
One module per part of the API (orders, quotes, the catalog and the company);
what they share in reading a request is in ``common``.
"""

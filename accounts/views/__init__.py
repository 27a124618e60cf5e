"""Account pages, one module per concern: logging in (``login``), forgotten passwords
(``passwords``), the person's own account (``account``, ``two_factor``), invitations
(``invitations``), a company administrator's people (``people``) and the company's
details (``company``)."""

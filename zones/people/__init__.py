"""The account area: who people are and what they may do (``access``: roles, rights,
areas), their accounts and sign-in (``accounts``), browser sessions (``sessions``), the
weekly approvals (``approvals``) and the audit trail (``audit``)."""

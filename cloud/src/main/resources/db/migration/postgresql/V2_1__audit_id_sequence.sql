-- PostgreSQL only: audit identifiers from a sequence. Transactions run side by side here, and reading
-- MAX(id) + 1 in each would make every two audited transactions a serialization conflict. A rolled-back
-- transaction leaves a gap in the identifiers; nothing reads them as a count.
CREATE SEQUENCE audit_events_id START WITH 1;

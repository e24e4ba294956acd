-- Idempotency keys (architecture §8: "writes that a client may retry accept an Idempotency-Key";
-- draft-ietf-httpapi-idempotency-key-header, as Stripe does it). Network level, no library_id:
-- a key belongs to an actor (an account, later an API client), and actors are network-wide; the
-- library a request addresses is part of its path and so of the request hash.
--
-- A row is claimed (locked_at set, no status yet) in its own short transaction before the write
-- runs, and completed with the response afterwards (src/platform/http/idempotency.ts explains
-- why two phases). Rows expire 24 hours after created_at (job expire-idempotency-keys).
--
-- actor is a scope string (`account:<uuid>`, `anonymous:<hash of the client address>`), not a
-- foreign key: rows live one day and hold no personal data beyond the response the actor already
-- received, which is why the personal-data registry does not list this table. Only a hash of the
-- request is kept, never its body (a guest's e-mail address).
CREATE TABLE idempotency_key (
  actor         text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
  key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
  -- SHA-256 of method, path and query, and the canonical JSON body
  request_hash  text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  -- while in flight (claimed, not yet answered): when the claim was taken
  locked_at     timestamptz,
  status_code   integer CHECK (status_code BETWEEN 100 AND 599),
  content_type  text,
  response_body text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (actor, key),
  -- either in flight or answered, never both or neither
  CHECK ((status_code IS NULL) = (completed_at IS NULL)),
  CHECK ((status_code IS NULL) = (locked_at IS NOT NULL))
);
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_key TO eenbieb_app;

-- Self-service kiosks speaking SIP2 (issue #6 item 9). A kiosk belongs to one library and stands
-- in one branch: that branch is where its check-outs and check-ins happen. It logs in (SIP2
-- message 93) with "<library slug>/<login>" as CN and its password as CO; only the argon2id hash
-- of the password is stored, like members' passwords and PINs.
CREATE TABLE kiosk (
  library_id     uuid NOT NULL REFERENCES library (id),
  id             uuid NOT NULL DEFAULT gen_random_uuid(),
  login          text NOT NULL CHECK (login ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
  password_hash  text NOT NULL,
  branch_id      uuid NOT NULL,
  -- the institution id (AO) the kiosk is configured with and that every response carries
  institution_id text NOT NULL CHECK (institution_id ~ '^[A-Za-z0-9._-]{1,40}$'),
  -- the character set of the kiosk's screen: ISO-8859-1 (the SIP2 default) or UTF-8
  encoding       text NOT NULL DEFAULT 'latin1' CHECK (encoding IN ('latin1', 'utf8')),
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_login_at  timestamptz,
  PRIMARY KEY (library_id, id),
  UNIQUE (library_id, login),
  FOREIGN KEY (library_id, branch_id) REFERENCES branch (library_id, id)
);
SELECT eenbieb_enable_tenancy('kiosk');

-- Accounts, memberships and everything personal around them.
--
-- Network level: one account per person in the whole network (login e-mail, credentials, home
-- library), sessions, single-use e-mail tokens, login throttling and network staff roles.
-- Library level (RLS): the profile (personal data owned by the home library), plans,
-- memberships with card and PIN, charges, consents, staff roles, the audit trail and the mail
-- outbox.

-- Card numbers start with a 5-digit prefix of the issuing library, so a card identifies its
-- library without reading any library's data (kiosks, card + PIN login).
ALTER TABLE library ADD COLUMN card_prefix text UNIQUE CHECK (card_prefix ~ '^[0-9]{5}$');

CREATE TABLE account (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- stored lower-cased; uniqueness over the whole network
  email                 text NOT NULL UNIQUE CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND length(email) <= 254),
  password_hash         text,
  email_verified_at     timestamptz,
  home_library_id       uuid NOT NULL REFERENCES library (id),
  preferred_language    text NOT NULL DEFAULT 'nl' CHECK (preferred_language IN ('nl', 'en')),
  -- RFC 6238 shared secret (base32) once the person enrolled a second factor
  totp_secret           text,
  status                text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleting', 'erased')),
  deletion_requested_at timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'deleting') = (deletion_requested_at IS NOT NULL))
);
CREATE INDEX account_home_library_idx ON account (home_library_id);
GRANT SELECT, INSERT, UPDATE ON account TO eenbieb_app;

CREATE TABLE session (
  -- sha256 of the cookie value: a database leak does not hand out live sessions
  id_hash      text PRIMARY KEY,
  account_id   uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  csrf_secret  text NOT NULL,
  -- a second factor was given in this session (required for admins and network roles)
  mfa_at       timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  -- coarse, for "active sessions": browser family only, no IP address
  device       text NOT NULL DEFAULT ''
);
CREATE INDEX session_account_idx ON session (account_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON session TO eenbieb_app;

CREATE TABLE email_token (
  token_hash text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  purpose    text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_token_account_idx ON email_token (account_id, purpose);
GRANT SELECT, INSERT, UPDATE, DELETE ON email_token TO eenbieb_app;

-- Failed logins per account and per client address (hashed), for growing delays.
CREATE TABLE login_throttle (
  key             text PRIMARY KEY,
  failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  blocked_until   timestamptz
);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO eenbieb_app;

CREATE TABLE network_role (
  account_id        uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  role              text NOT NULL CHECK (role IN ('network_staff', 'municipality_viewer')),
  -- a municipality viewer sees exactly one municipality
  municipality_code text REFERENCES municipality (code),
  CHECK ((role = 'municipality_viewer') = (municipality_code IS NOT NULL)),
  PRIMARY KEY (account_id, role)
);
GRANT SELECT ON network_role TO eenbieb_app;

-- Library level.
CREATE TABLE member_profile (
  library_id     uuid NOT NULL REFERENCES library (id),
  account_id     uuid NOT NULL REFERENCES account (id),
  given_name     text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
  family_name    text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
  birth_date     date,
  street         text CHECK (length(street) <= 120),
  house_number   text CHECK (length(house_number) <= 20),
  postcode       text CHECK (postcode ~ '^[1-9][0-9]{3} [A-Z]{2}$'),
  city           text CHECK (length(city) <= 80),
  phone          text CHECK (length(phone) <= 30),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library_id, account_id)
);
SELECT eenbieb_enable_tenancy('member_profile');

CREATE TABLE plan (
  library_id        uuid NOT NULL REFERENCES library (id),
  id                uuid NOT NULL DEFAULT gen_random_uuid(),
  code              text NOT NULL CHECK (code ~ '^[a-z0-9-]{2,40}$'),
  name_nl           text NOT NULL,
  name_en           text NOT NULL,
  -- 'lending': borrows physical and digital (every lending plan includes the national digital
  -- collection); 'connected': free account without borrowing
  kind              text NOT NULL CHECK (kind IN ('lending', 'connected')),
  yearly_fee_cents  integer NOT NULL DEFAULT 0 CHECK (yearly_fee_cents >= 0),
  min_age           integer CHECK (min_age BETWEEN 0 AND 130),
  max_age           integer CHECK (max_age BETWEEN 0 AND 130),
  max_physical_loans integer NOT NULL DEFAULT 0 CHECK (max_physical_loans >= 0),
  max_digital_loans  integer NOT NULL DEFAULT 0 CHECK (max_digital_loans >= 0),
  max_holds          integer NOT NULL DEFAULT 0 CHECK (max_holds >= 0),
  loan_period_days   integer NOT NULL DEFAULT 21 CHECK (loan_period_days BETWEEN 1 AND 120),
  active            boolean NOT NULL DEFAULT true,
  sort_order        integer NOT NULL DEFAULT 0,
  CHECK (kind = 'lending' OR (max_physical_loans = 0 AND max_digital_loans = 0 AND max_holds = 0 AND yearly_fee_cents = 0)),
  CHECK (kind = 'connected' OR (max_physical_loans > 0 AND max_digital_loans > 0)),
  CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age),
  PRIMARY KEY (library_id, id),
  UNIQUE (library_id, code)
);
SELECT eenbieb_enable_tenancy('plan');

CREATE TABLE membership (
  library_id    uuid NOT NULL REFERENCES library (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  account_id    uuid NOT NULL REFERENCES account (id),
  plan_id       uuid NOT NULL,
  -- per-library prefix + serial + Luhn check digit; the prefix makes it unique network-wide
  card_number   text NOT NULL CHECK (card_number ~ '^[0-9]{14}$'),
  pin_hash      text,
  status        text NOT NULL CHECK (status IN ('active', 'ended', 'transferred')),
  valid_from    date NOT NULL DEFAULT current_date,
  valid_until   date,
  ended_at      timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library_id, id),
  UNIQUE (library_id, card_number),
  FOREIGN KEY (library_id, plan_id) REFERENCES plan (library_id, id)
);
-- one current membership per person at a library (the home library is on the account)
CREATE UNIQUE INDEX membership_one_active ON membership (library_id, account_id) WHERE status = 'active';
SELECT eenbieb_enable_tenancy('membership');

-- Card numbers are issued from a per-library counter, locked while incremented.
CREATE TABLE card_sequence (
  library_id  uuid NOT NULL REFERENCES library (id),
  last_serial bigint NOT NULL DEFAULT 0 CHECK (last_serial >= 0 AND last_serial < 100000000),
  PRIMARY KEY (library_id)
);
SELECT eenbieb_enable_tenancy('card_sequence');

CREATE TABLE charge (
  library_id    uuid NOT NULL REFERENCES library (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  account_id    uuid REFERENCES account (id),
  membership_id uuid,
  kind          text NOT NULL CHECK (kind IN ('membership_fee', 'late_fee', 'lost_item', 'damage', 'other')),
  amount_cents  integer NOT NULL CHECK (amount_cents > 0),
  description   text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  paid_at       timestamptz,
  PRIMARY KEY (library_id, id),
  FOREIGN KEY (library_id, membership_id) REFERENCES membership (library_id, id)
);
CREATE INDEX charge_account_idx ON charge (library_id, account_id);
SELECT eenbieb_enable_tenancy('charge');

CREATE TABLE consent (
  library_id uuid NOT NULL REFERENCES library (id),
  account_id uuid NOT NULL REFERENCES account (id),
  purpose    text NOT NULL CHECK (purpose IN ('reading_history', 'reading_advice', 'newsletter', 'research')),
  granted    boolean NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library_id, account_id, purpose)
);
SELECT eenbieb_enable_tenancy('consent');

CREATE TABLE staff_role (
  library_id uuid NOT NULL REFERENCES library (id),
  account_id uuid NOT NULL REFERENCES account (id),
  role       text NOT NULL CHECK (role IN ('desk', 'librarian', 'library_admin')),
  granted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library_id, account_id, role)
);
SELECT eenbieb_enable_tenancy('staff_role');

-- Every staff look at personal data, every consent change, transfer and deletion.
CREATE TABLE audit_event (
  library_id         uuid NOT NULL REFERENCES library (id),
  id                 uuid NOT NULL DEFAULT gen_random_uuid(),
  at                 timestamptz NOT NULL DEFAULT now(),
  actor_account_id   uuid REFERENCES account (id),
  action             text NOT NULL,
  subject_account_id uuid REFERENCES account (id),
  reason_code        text,
  details            jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (library_id, id)
);
CREATE INDEX audit_event_at_idx ON audit_event (library_id, at DESC);
SELECT eenbieb_enable_tenancy('audit_event');
-- the trail is append-only for the application
REVOKE UPDATE, DELETE ON audit_event FROM eenbieb_app;

-- Outgoing e-mail (outbox). A sender job delivers; in development the mail viewer shows them.
CREATE TABLE notice (
  library_id  uuid NOT NULL REFERENCES library (id),
  id          uuid NOT NULL DEFAULT gen_random_uuid(),
  account_id  uuid REFERENCES account (id),
  to_address  text NOT NULL,
  template    text NOT NULL,
  subject     text NOT NULL,
  body_text   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  PRIMARY KEY (library_id, id)
);
SELECT eenbieb_enable_tenancy('notice');

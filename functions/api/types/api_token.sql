-- api.api_token: a bearer token as the admin API lists it: never the token
-- or its hash.
create type api.api_token as (
    id bigint,
    name text,
    token_prefix text,
    role nezuko.role,
    admin_user_id bigint,
    created_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz
);
comment on type api.api_token is 'An API token: name, first characters, role, expiry and last use. Never the token or its hash.
@nullable admin_user_id, expires_at, revoked_at, last_used_at';

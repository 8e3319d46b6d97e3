-- api.admin_user: a dashboard account, never with its password hash.
create type api.admin_user as (
    id bigint,
    email text,
    full_name text,
    role nezuko.role,
    telegram_user_id bigint,
    is_active boolean,
    last_login_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz
);
comment on type api.admin_user is 'A dashboard account (viewer or admin). The password hash is never part of it.
@nullable full_name, telegram_user_id, last_login_at';

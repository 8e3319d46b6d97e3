-- api.audit_entry: one row of admin_audit_log.
create type api.audit_entry as (
    id bigint,
    admin_user_id bigint,
    api_token_id bigint,
    db_user text,
    action text,
    resource_type text,
    resource_id text,
    old_value jsonb,
    new_value jsonb,
    ip text,
    user_agent text,
    created_at timestamptz
);
comment on type api.audit_entry is 'One configuration change: who (admin, token, database role, ip, user agent), what (action, table, key) and the row before and after (secrets removed).
@nullable admin_user_id, api_token_id, resource_id, old_value, new_value, ip, user_agent';

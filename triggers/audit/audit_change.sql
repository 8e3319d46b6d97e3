-- triggers.audit_change: one admin_audit_log row per inserted, updated or
-- deleted row of a configuration table, whoever made the change.
--
-- Who: the REST API sets nezuko.admin_id, nezuko.token_id, nezuko.ip and
-- nezuko.user_agent (auth.begin_request, local to the request's
-- transaction); a DBA's direct SQL leaves them unset, so those columns stay
-- null and db_user (session_user) says who it was.
-- Secrets never reach the log: the columns in v_secret are removed from
-- old_value and new_value. An update that changes only bookkeeping columns
-- (updated_at, last_used_at, last_login_at) is not a configuration change
-- and writes nothing: auth.authenticate touches last_used_at once a minute.
create function triggers.audit_change() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_secret constant text[] := array['token_encrypted', 'token_sha256', 'password_hash', 'webhook_secret_sha256'];
    v_noise constant text[] := array['updated_at', 'last_used_at', 'last_login_at'];
    v_old jsonb;
    v_new jsonb;
    v_row jsonb;
    v_id text;
begin
    -- Queue tables (argument 'api_only') are audited only for changes made
    -- through the API: the worker's own status updates are not configuration.
    if tg_nargs > 0 and tg_argv[0] = 'api_only' and coalesce(current_setting('nezuko.token_id', true), '') = '' then
        return null;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        v_old := to_jsonb(old) - v_secret;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        v_new := to_jsonb(new) - v_secret;
    end if;
    if tg_op = 'UPDATE' and (to_jsonb(old) - v_noise) = (to_jsonb(new) - v_noise) then
        return null;
    end if;
    v_row := coalesce(v_new, v_old);
    -- The resource key: the table's primary key columns, joined with ':'
    -- when there are several (group_channel_links: group_id:channel_id).
    select string_agg(v_row ->> a.attname, ':' order by array_position(i.indkey::int2[], a.attnum))
    into v_id
    from pg_index i
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
    where i.indrelid = tg_relid and i.indisprimary;
    insert into nezuko.admin_audit_log (admin_user_id, api_token_id, db_user, action, resource_type, resource_id,
                                        old_value, new_value, ip, user_agent)
    values (nullif(current_setting('nezuko.admin_id', true), '')::bigint,
            nullif(current_setting('nezuko.token_id', true), '')::bigint,
            session_user,
            lower(tg_op), tg_table_name, v_id, v_old, v_new,
            nullif(current_setting('nezuko.ip', true), '')::inet,
            nullif(current_setting('nezuko.user_agent', true), ''));
    return null;
end
$$;
comment on function triggers.audit_change() is 'Writes admin_audit_log for each change of a configuration table, with the API caller from settings (null for direct SQL) and secret columns removed.';

do $$
declare
    t text;
begin
    foreach t in array array['owners', 'bot_instances', 'protected_groups', 'enforced_channels', 'group_channel_links',
                             'admin_users', 'admin_config', 'command_types', 'api_tokens'] loop
        execute format('create trigger audit_change after insert or update or delete on nezuko.%I '
                       'for each row execute function triggers.audit_change()', t);
    end loop;
    -- The command queue: what an admin enqueues or cancels through the API.
    -- The WHEN clause skips the worker's claims and completions (no API
    -- caller) before any PL/pgSQL call: three calls per command otherwise.
    create trigger audit_change after insert or update or delete on nezuko.admin_commands
        for each row when (coalesce(current_setting('nezuko.token_id', true), '') <> '')
        execute function triggers.audit_change('api_only');
end
$$;

-- api.list_audit_log: configuration changes, newest first, filtered and paged.
create function api.list_audit_log(
    p_resource_type text default null,
    p_resource_id text default null,
    p_action text default null,
    p_admin_user_id bigint default null,
    p_since timestamptz default null,
    p_until timestamptz default null,
    p_limit nezuko.page_limit default 50,
    p_offset nezuko.page_offset default 0,
    out total bigint,
    out items api.audit_entry[]
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform analytics.check_page(p_limit, p_offset, 500);
    if p_action is not null and p_action not in ('insert', 'update', 'delete') then
        raise exception 'p_action must be insert, update or delete' using errcode = '22023';
    end if;
    with matching as (
        select a.* from nezuko.admin_audit_log a
        where (p_resource_type is null or a.resource_type = p_resource_type)
          and (p_resource_id is null or a.resource_id = p_resource_id)
          and (p_action is null or a.action = p_action)
          and (p_admin_user_id is null or a.admin_user_id = p_admin_user_id)
          and (p_since is null or a.created_at >= p_since)
          and (p_until is null or a.created_at < p_until)
    )
    select (select count(*) from matching),
           coalesce((select array_agg(row(a.id, a.admin_user_id, a.api_token_id, a.db_user, a.action, a.resource_type,
                                          a.resource_id, a.old_value, a.new_value, host(a.ip), a.user_agent,
                                          a.created_at)::api.audit_entry order by a.created_at desc, a.id desc)
                     from (select * from matching order by created_at desc, id desc limit p_limit offset p_offset) a), '{}')
    into total, items;
end
$$;
comment on function api.list_audit_log(text, text, text, bigint, timestamptz, timestamptz, nezuko.page_limit, nezuko.page_offset) is
    'Configuration changes (insert/update/delete of config tables, by the API or by hand), newest first, paginated with the total. Filters: table (p_resource_type), key (p_resource_id), p_action, the admin, and the time [since, until).
@tag audit';
grant execute on function api.list_audit_log(text, text, text, bigint, timestamptz, timestamptz, nezuko.page_limit, nezuko.page_offset) to nezuko_viewer, nezuko_admin;

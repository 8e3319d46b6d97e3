-- auth.authenticate_ticket: who opens an event stream with a ticket. Returns
-- the minting API token's id, role and account, or no row when the ticket
-- is unknown or expired, or its token is revoked, expired or its account
-- deactivated. API tokens are not tickets: they get no row here.
create function auth.authenticate_ticket(p_ticket text)
returns table (token_id bigint, role text, admin_user_id bigint)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select k.id, k.role, k.admin_user_id
    from nezuko.sse_tickets t
    join nezuko.api_tokens k on k.id = t.api_token_id
    left join nezuko.admin_users u on u.id = k.admin_user_id
    where t.token_sha256 = auth.hash_token(p_ticket)
      and t.expires_at > now()
      and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now())
      and (k.admin_user_id is null or u.is_active)
$$;
comment on function auth.authenticate_ticket(text) is 'The API token (id, role, account) behind an event-stream ticket; no row when the ticket or its token is no longer valid.';
grant execute on function auth.authenticate_ticket(text) to nezuko_bridge;

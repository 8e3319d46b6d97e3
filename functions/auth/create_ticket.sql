-- auth.create_ticket: a ticket that opens GET /v1/events (and nothing else)
-- for p_ttl, on behalf of API token p_token_id. Only its SHA-256 is kept.
-- Deletes tickets that expired over an hour ago (the index on expires_at
-- makes that a short range scan).
create function auth.create_ticket(p_token_id bigint, p_ttl interval)
returns table (token text, expires_at timestamptz)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_token text;
begin
    if p_ttl is null or p_ttl <= interval '0' or p_ttl > interval '1 hour' then
        raise exception 'ticket lifetime must be between 0 and 1 hour' using errcode = '22023';
    end if;
    delete from nezuko.sse_tickets t where t.expires_at < now() - interval '1 hour';
    -- A different prefix from API tokens (nzk_): a leaked ticket is told apart at a glance.
    v_token := 'nzt_' || rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
    return query
    insert into nezuko.sse_tickets as t (token_sha256, api_token_id, expires_at)
    values (auth.hash_token(v_token), p_token_id, now() + p_ttl)
    returning v_token, t.expires_at;
end
$$;
comment on function auth.create_ticket(bigint, interval) is 'Issues an event-stream ticket for an API token (returned once; only its hash is kept).';
grant execute on function auth.create_ticket(bigint, interval) to nezuko_bridge;

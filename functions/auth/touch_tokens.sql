-- auth.touch_tokens: marks tokens used now (at most once a minute per
-- token, as auth.authenticate does), for the requests a read replica
-- served (auth.begin_read_request writes nothing). Returns how many rows
-- it wrote.
create function auth.touch_tokens(p_ids bigint[]) returns integer
language sql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
    with t as (
        update nezuko.api_tokens set last_used_at = now()
        where id = any (p_ids) and (last_used_at is null or last_used_at < now() - interval '1 minute')
        returning 1
    )
    select count(*)::integer from t
$$;
comment on function auth.touch_tokens(bigint[]) is 'Marks the tokens used now (at most once a minute each): the uses a read replica served.';
grant execute on function auth.touch_tokens(bigint[]) to nezuko_bridge;

-- bot.register_bot: store a bot whose token the bridge has just checked
-- with getMe and encrypted (POST /v1/bots, `nezuko bot add`). The same bot
-- registered again with a new token (revoked at BotFather) keeps its row and
-- gets the new token. The same token twice is a 409 (token_sha256 unique).
-- Granted to nezuko_admin as well, so the GRANT decides who may register a
-- bot through the API, exactly as for the api functions.
create function bot.register_bot(
    p_bot_user_id bigint,
    p_username text,
    p_first_name text,
    p_token_encrypted text,
    p_token_sha256 bytea
) returns api.bot_instance
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_id bigint;
begin
    if exists (select from nezuko.bot_instances where token_sha256 = p_token_sha256) then
        raise exception 'this bot token is already registered' using errcode = '23505';
    end if;
    insert into nezuko.bot_instances (bot_user_id, username, first_name, token_encrypted, token_sha256)
    values (p_bot_user_id, p_username, p_first_name, p_token_encrypted, p_token_sha256)
    on conflict (bot_user_id) do update set
        username = excluded.username, first_name = excluded.first_name,
        token_encrypted = excluded.token_encrypted, token_sha256 = excluded.token_sha256, is_active = true
    returning id into v_id;
    return api.get_bot(v_id);
end
$$;
comment on function bot.register_bot(bigint, text, text, text, bytea) is
    'Stores a bot checked with getMe, its token Fernet-encrypted; a known bot gets the new token. 409 for a token already registered.';
grant usage on schema bot to nezuko_admin;
grant execute on function bot.register_bot(bigint, text, text, text, bytea) to nezuko_bridge, nezuko_admin;

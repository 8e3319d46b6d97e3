-- bot.set_update_mode: how a bot receives updates, after the bridge told
-- Telegram (setWebhook with the secret, or deleteWebhook). webhook needs
-- the SHA-256 of the secret Telegram will send in
-- X-Telegram-Bot-Api-Secret-Token (the secret itself is never stored);
-- polling forgets it. Running bridges follow within NEZUKO_BOT_RELOAD.
-- Granted to nezuko_admin as well, like bot.register_bot: the GRANT decides
-- who may change it through the API.
create function bot.set_update_mode(p_bot_id bigint, p_mode text, p_secret_sha256 bytea)
returns api.bot_instance
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_mode is null or p_mode not in ('polling', 'webhook') then
        raise exception 'p_mode must be polling or webhook' using errcode = '22023';
    end if;
    if p_mode = 'webhook' and (p_secret_sha256 is null or length(p_secret_sha256) <> 32) then
        raise exception 'p_secret_sha256 must be the 32-byte SHA-256 of the webhook secret' using errcode = '22023';
    end if;
    update nezuko.bot_instances
    set update_mode = p_mode,
        webhook_secret_sha256 = case when p_mode = 'webhook' then p_secret_sha256 end
    where id = p_bot_id;
    if not found then
        raise exception 'no bot with id %', p_bot_id using hint = 'http:404';
    end if;
    return api.get_bot(p_bot_id);
end
$$;
comment on function bot.set_update_mode(bigint, text, bytea) is
    'Records a bot''s update mode (polling, or webhook with the SHA-256 of its secret) once Telegram has been told. 404 for an unknown bot.';
grant execute on function bot.set_update_mode(bigint, text, bytea) to nezuko_bridge, nezuko_admin;

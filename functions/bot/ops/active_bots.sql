-- bot.active_bots: the bots a bridge must run, with what it needs to run
-- them (the token stays Fernet-encrypted until the bridge decrypts it).
create function bot.active_bots()
returns table (id bigint, bot_user_id bigint, username text, token_encrypted text, update_mode text,
               webhook_secret_sha256 bytea)
language sql stable as $$
    select id, bot_user_id, username, token_encrypted, update_mode, webhook_secret_sha256
    from nezuko.bot_instances where is_active order by id
$$;
grant execute on function bot.active_bots() to nezuko_bridge;

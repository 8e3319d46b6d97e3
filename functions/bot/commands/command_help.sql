-- bot.command_help: /help and /start: what the bot is and how to set it up,
-- in the group's language (in a private chat, the user's).
-- p_checks: what the dispatcher still needs to know (the caller's status).
create function bot.command_help(p_bot bigint, p_msg jsonb, p_answers jsonb, p_checks jsonb, p_args text) returns jsonb
language plpgsql stable as $$
begin
    if jsonb_array_length(p_checks) > 0 then
        return jsonb_build_object('checks', p_checks);
    end if;
    return bot.reply_call(p_msg, bot.text('help.text',
        bot.group_language((p_msg->'chat'->>'id')::bigint, p_msg->'from'),
        jsonb_build_object('bot', bot.html_escape(coalesce(
            (select username from nezuko.bot_instances where id = p_bot), 'the bot')))));
end
$$;
grant execute on function bot.command_help(bigint, jsonb, jsonb, jsonb, text) to nezuko_bridge;

-- bot.command_unprotect: /unprotect: releases everyone the bot restricted
-- in the group (back to the group's default permissions, prompts deleted),
-- unlinks its channels and disables it.
create function bot.command_unprotect(p_bot bigint, p_msg jsonb, p_answers jsonb, p_checks jsonb, p_args text) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_msg->'chat'->>'id')::bigint;
    g nezuko.protected_groups := bot.command_protected_group(p_bot, p_msg);
    v_lang text := bot.group_language(v_chat, p_msg->'from');
    v_checks jsonb := p_checks;
    v_res jsonb;
    v_n integer;
begin
    if g.group_id is not null and exists (select from nezuko.group_restrictions where group_id = v_chat and muted)
       and bot.group_permissions(v_chat, p_answers) is null then
        v_checks := v_checks || jsonb_build_object('method', 'getChat', 'chat_id', v_chat);
    end if;
    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', v_checks);
    end if;
    if g.group_id is null then
        return bot.reply_call(p_msg, bot.text('group.not_protected', v_lang));
    end if;
    v_res := bot.release_group(p_bot, v_chat, p_answers);
    v_n := (v_res->>'released')::int;
    delete from nezuko.group_channel_links where group_id = v_chat;
    update nezuko.protected_groups set enabled = false where group_id = v_chat;
    return bot.merge_plans(v_res - 'released', bot.reply_call(p_msg, bot.text('unprotect.done', v_lang, jsonb_build_object('count', v_n))));
end
$$;
grant execute on function bot.command_unprotect(bigint, jsonb, jsonb, jsonb, text) to nezuko_bridge;

-- bot.text: the text p_key in language p_lang (English when that language
-- lacks it), its named placeholders {like_this} filled from p_args. Values
-- go in as given: a caller escapes what it puts into an HTML message.
create function bot.text(p_key text, p_lang text, p_args jsonb default '{}') returns text
language plpgsql stable parallel safe as $$
declare
    v_body text;
    a record;
begin
    select body into v_body from nezuko.bot_texts
    where key = p_key and language in (coalesce(p_lang, 'en'), 'en')
    order by language = coalesce(p_lang, 'en') desc
    limit 1;
    if v_body is null then
        raise exception 'bot.text: no text "%"', p_key using errcode = 'P0002',
            hint = 'add it to nezuko.bot_texts, in English at least';
    end if;
    for a in select * from jsonb_each_text(coalesce(p_args, '{}')) loop
        v_body := replace(v_body, '{' || a.key || '}', coalesce(a.value, ''));
    end loop;
    return v_body;
end
$$;
grant execute on function bot.text(text, text, jsonb) to nezuko_bridge;

-- bot.html_escape: text made safe for parse_mode HTML (Telegram refuses a bare < or &).
create function bot.html_escape(p_text text) returns text
language sql immutable parallel safe as $$
    select replace(replace(replace(coalesce(p_text, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;')
$$;
grant execute on function bot.html_escape(text) to nezuko_bridge;

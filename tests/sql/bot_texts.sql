-- The bot's texts: every shipped language has every key, with the same
-- named placeholders; the registry of group settings drives the defaults
-- and the validation; a Spanish group's prompt carries no English.
begin;
select plan(19);

select is(nezuko.text_languages(), array['en', 'es', 'hi', 'id', 'pt', 'ru'],
    'six languages have a complete text set, English first');

select is_empty($$
    select e.key, l.language
    from nezuko.bot_texts e cross join unnest(array['es', 'ru', 'pt', 'id', 'hi']) l(language)
    where e.language = 'en'
      and not exists (select from nezuko.bot_texts t where t.key = e.key and t.language = l.language)$$,
    'every English key exists in every shipped language');

select is_empty($$
    select t.key, t.language from nezuko.bot_texts t
    where not exists (select from nezuko.bot_texts e where e.key = t.key and e.language = 'en')$$,
    'no language has a key English lacks');

select is_empty($$
    with ph as (
        select key, language,
               coalesce((select array_agg(distinct m[1] order by m[1]) from regexp_matches(body, '\{([a-z_]+)\}', 'g') m), '{}') as names
        from nezuko.bot_texts)
    select t.key, t.language, t.names, e.names from ph t join ph e on e.key = t.key and e.language = 'en'
    where t.names <> e.names$$,
    'every translation has exactly the placeholders of the English text');

select is_empty($$
    select key, language from nezuko.bot_texts
    where key like 'callback.%' and (body ~ '<[a-z/]' or length(body) > 160)$$,
    'callback answers are plain text and short enough for Telegram''s 200 characters');

select is(bot.text('callback.still_missing', 'es', '{"channels": "Canal B"}'),
    'Todavía no te has unido a: Canal B. Únete y vuelve a pulsar el botón.', 'bot.text fills named placeholders');
select is(bot.text('callback.verified', 'de'), bot.text('callback.verified', 'en'),
    'a language without a text set falls back to English');
select throws_ok($$select bot.text('no.such_key', 'en')$$, 'P0002', 'bot.text: no text "no.such_key"',
    'an unknown key is an error, not an empty message');

select is(bot.user_language('{"id": 1, "language_code": "pt-br"}'), 'pt', 'a regional language_code uses its language');
select is(bot.user_language('{"id": 1, "language_code": "de"}', 'es'), 'es', 'an unsupported language_code gets the fallback');

-- The settings registry
select is(bot.settings('{}'), (select jsonb_object_agg(name, default_value) from nezuko.group_settings),
    'the effective defaults are the registry''s');
-- A setting added to (changed in, removed from) the registry is in the
-- effective defaults at once: a trigger keeps group_settings_defaults.
insert into nezuko.group_settings (name, position, value_type, default_value, description)
values ('test_flag', 99, 'boolean', 'true', 'test');
select is(bot.settings('{}')->'test_flag', 'true'::jsonb, 'a setting added to the registry is a default at once');
update nezuko.group_settings set default_value = 'false' where name = 'test_flag';
select is(bot.settings('{"mode": "delete"}')->'test_flag', 'false'::jsonb, 'a changed default is effective at once');
delete from nezuko.group_settings where name = 'test_flag';
select is(bot.settings('{}'), (select jsonb_object_agg(name, default_value) from nezuko.group_settings),
    'a removed setting leaves the effective defaults');
select throws_ok($$select nezuko.check_group_params('{"language": "xx"}')$$, '22023',
    'language must be one of en, es, hi, id, pt, ru', 'a language without texts is refused, naming those offered');
select throws_ok($$select nezuko.check_group_params('{"mute_duration_seconds": 10}')$$, '22023',
    'mute_duration_seconds must be 0 or a whole number from 30 to 31622400', 'integer ranges come from the registry');
select ok(nezuko.check_group_params('{"language": "hi", "sender_chat_action": "ban", "whitelist": [-1001, 5]}'),
    'registry settings validate');

-- A Spanish group's prompt and buttons: no English.
select is_empty($$
    with p as (select bot.prompt_call(-100, 'Grupo', bot.settings('{"language": "es"}'),
                   '{"id": 7, "first_name": "Ana"}',
                   '[{"id": -200, "title": "Canal", "url": "https://t.me/canal"}]') as c),
    parts as (select c->'params'->>'text' as s from p
              union all select b->>'text' from p, jsonb_array_elements(c->'params'->'reply_markup'->'inline_keyboard') r,
                                             jsonb_array_elements(r) b),
    english as (select distinct lower(w) as w from nezuko.bot_texts,
                    regexp_split_to_table(regexp_replace(body, '\{[a-z_]+\}|<[^>]*>', ' ', 'g'), '[^A-Za-z]+') w
                where language = 'en' and key like 'prompt.%' and length(w) > 2)
    select english.w, parts.s from parts, english
    where parts.s ~* ('\m' || english.w || '\M')$$,
    'a Spanish group''s prompt and buttons contain no word of the English prompt');
select ok((select bot.prompt_call(-100, 'G', bot.settings('{"language": "es", "prompt_text": "Hola {name}: {channels}"}'),
              '{"id": 7, "first_name": "Ana"}', '[{"id": -200, "title": "Canal", "url": null}]')->'params'->>'text')
          = 'Hola Ana: Canal', 'a group''s prompt_text overrides the language''s prompt');

select * from finish();
rollback;

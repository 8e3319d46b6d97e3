-- triggers.set_updated_at: keeps updated_at honest on every table that has one,
-- whoever writes the row (API, bridge or a DBA by hand).
create function triggers.set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end
$$;

-- Only when something changed: an UPDATE that rewrites the same values
-- (e.g. an idempotent upsert) keeps the old timestamp.
--
-- admin_commands: the queue's claims and completions (bot.claim_commands,
-- bot.complete_commands) set updated_at = now() themselves, and the trigger
-- skips a row whose UPDATE already changed updated_at: a row trigger per
-- claimed and per completed command cost about 2 us each of a queue whose
-- whole server cost is about 60 us per command (issue 18). Any other
-- UPDATE that leaves updated_at alone still gets now().
do $$
declare
    t regclass;
begin
    for t in
        select c.oid::regclass
        from pg_class c
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'updated_at' and not a.attisdropped
        where c.relnamespace = 'nezuko'::regnamespace and c.relkind in ('r', 'p')
        order by 1::text
    loop
        execute format('create trigger set_updated_at before update on %s for each row '
                       'when (%s old.* is distinct from new.*) execute function triggers.set_updated_at()', t,
                       case when t = 'nezuko.admin_commands'::regclass
                            then 'new.updated_at is not distinct from old.updated_at and' else '' end);
    end loop;
end
$$;

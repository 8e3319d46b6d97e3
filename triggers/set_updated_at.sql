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
                       'when (old.* is distinct from new.*) execute function triggers.set_updated_at()', t);
    end loop;
end
$$;

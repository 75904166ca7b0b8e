-- A council of :n dwellings (and :n / 25 business properties) for the staff search benchmark
-- (bench/revenues_search_bench.py, which runs this as the schema owner with psql variables tenant, n and prefix).
-- One INSERT ... SELECT over generate_series per table, like bench/revenues_billing_seed.sql, with realistic words:
-- 40 forenames and 80 surnames (ONS's most common), 60 street names with 10 street types in 12 towns (80 houses a
-- street, 12% flats), postcodes of about 16 addresses each in 40 districts, firms named as firms are; one account
-- per property, 35% with a second liable party. Then the search keys, as `account_search_keys_refresh` writes them
-- (lower case, apostrophes dropped, anything but letters and digits a space; each field from each word to the end).
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.2026);
CREATE TEMP TABLE seed ON COMMIT DROP AS
SELECT g, (g - 1) / 80 AS street, 1 + (g - 1) % 80 AS house, random() AS r_flat, random() AS r_party,
       (random() * 39)::int AS forename, (random() * 79)::int AS surname, (random() * 39)::int AS forename_2
FROM generate_series(1, :n) AS g;

CREATE TEMP TABLE words ON COMMIT DROP AS SELECT
ARRAY['Olivia', 'Amelia', 'Isla', 'Ava', 'Ivy', 'Freya', 'Lily', 'Florence', 'Mia', 'Willow', 'Rosie', 'Sophia',
      'Isabella', 'Grace', 'Daisy', 'Sienna', 'Poppy', 'Elsie', 'Emily', 'Ella', 'Noah', 'Oliver', 'George', 'Arthur',
      'Muhammad', 'Leo', 'Harry', 'Oscar', 'Archie', 'Henry', 'Theodore', 'Freddie', 'Jack', 'Charlie', 'Theo',
      'Alfie', 'Jacob', 'Thomas', 'Finley', 'Sean'] AS forenames,
ARRAY['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson', 'Wright',
      'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Thomas', 'Clarke', 'Jackson', 'Wood',
      'Harris', 'Edwards', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Hughes', 'Moore', 'Clark', 'King',
      'Harrison', 'Lewis', 'Baker', 'Lee', 'Allen', 'Morris', 'Khan', 'Scott', 'Watson', 'Davis', 'Parker', 'James',
      'Bennett', 'Young', 'Phillips', 'Richardson', 'Mitchell', 'Bailey', 'Carter', 'Cook', 'Singh', 'Shaw', 'Bell',
      'Collins', 'Morgan', 'Kelly', 'Begum', 'Miller', 'Cox', 'Hussain', 'Marshall', 'Simpson', 'Price', 'Anderson',
      'Adams', 'Wilkinson', 'Ali', 'Ahmed', 'Foster', 'Ellis', 'Murphy', 'Chapman', 'Mason', 'Gray', 'Richards',
      'O''Brien', 'Smith-Jones'] AS surnames,
ARRAY['High', 'Church', 'Mill', 'Station', 'Park', 'Victoria', 'Manor', 'Queens', 'Kings', 'New', 'School', 'Grange',
      'Chapel', 'Windsor', 'York', 'Green', 'Main', 'Springfield', 'Orchard', 'Meadow', 'Highfield', 'Albert',
      'Alexandra', 'North', 'South', 'West', 'East', 'Mount', 'Broad', 'Bridge', 'Castle', 'Market', 'Beech', 'Oak',
      'Ash', 'Elm', 'Willow', 'Cedar', 'Rectory', 'Vicarage', 'Farm', 'Hill', 'Forest', 'Lime', 'Cherry', 'Holly',
      'Jubilee', 'Riverside', 'Brook', 'Fox', 'Rose', 'Lark', 'Heather', 'Primrose', 'Clarence', 'Nelson',
      'Wellington', 'Stanley', 'Cromwell', 'St John''s'] AS streets,
ARRAY['Street', 'Road', 'Lane', 'Avenue', 'Close', 'Drive', 'Way', 'Gardens', 'Crescent', 'Place'] AS kinds,
ARRAY['Benchtown', 'Ashby', 'Northwick', 'Southam', 'Eastleigh', 'Westbury', 'Millbrook', 'Fairford', 'Kingsley',
      'Oakham', 'Thornbury', 'Redhill'] AS towns,
ARRAY['Bakery', 'Motors', 'Dental Practice', 'Pharmacy', 'Estate Agents', 'Cafe', 'Hair Studio', 'Accountants',
      'Butchers', 'Florist', 'Solicitors', 'Garage'] AS trades;

INSERT INTO revenues_dwelling (tenant_id, uprn, address_line_1, address_line_2, address_line_3, town, postcode, status,
                               created_at, updated_at, voa_reference, band, band_effective_from)
SELECT :tenant, (100000000000 + g)::text,
       CASE WHEN r_flat < 0.12 THEN 'Flat ' || (1 + g % 6) ELSE house || ' ' || streets[1 + street % 60] || ' '
            || kinds[1 + (street / 60) % 10] END,
       CASE WHEN r_flat < 0.12 THEN house || ' ' || streets[1 + street % 60] || ' ' || kinds[1 + (street / 60) % 10]
            ELSE '' END,
       '', towns[1 + (street / 7) % 12],
       'BT' || (1 + street % 40) || ' ' || ((street / 40) % 10) || chr(65 + (street * 7 + house / 16) % 26)
       || chr(65 + (street * 3 + house / 16) % 26),
       'live', now(), now(), 'S' || lpad(g::text, 10, '0'), chr(65 + g % 8), DATE '1993-04-01'
FROM seed, words ORDER BY g;

INSERT INTO revenues_hereditament (tenant_id, uprn, address_line_1, address_line_2, address_line_3, town, postcode,
                                   status, created_at, updated_at, voa_reference, uarn, firm_name, description_code,
                                   description, rateable_value, value_effective_from, retail_hospitality_leisure)
SELECT :tenant, (200000000000 + g)::text,
       'Unit ' || (1 + g % 12) || ', ' || house || ' ' || streets[1 + street % 60] || ' ' || kinds[1 + (street / 60) % 10],
       '', '', towns[1 + (street / 7) % 12],
       'BT' || (1 + street % 40) || ' ' || ((street / 40) % 10) || 'Z' || chr(65 + g % 26),
       'live', now(), now(), 'N' || lpad(g::text, 10, '0'), '',
       surnames[1 + surname] || ' ' || trades[1 + g % 12] || CASE WHEN g % 3 = 0 THEN ' Ltd' ELSE '' END,
       'CS', 'Shop and premises', 5000 + (g % 50) * 1000, DATE '2023-04-01', g % 2 = 0
FROM seed, words WHERE g % 25 = 0 ORDER BY g;

INSERT INTO revenues_account (tenant_id, number, status, opened_at, dwelling_id, correspondence_address,
                              ebilling_email, instalment_scheme)
SELECT :tenant, :'prefix' || '-' || lpad(s.g::text, 8, '0'), 'open', now(), d.id, '', '', 10
FROM seed s JOIN revenues_dwelling d ON d.tenant_id = :tenant AND d.voa_reference = 'S' || lpad(s.g::text, 10, '0')
ORDER BY s.g;
INSERT INTO revenues_account (tenant_id, number, status, opened_at, hereditament_id, correspondence_address,
                              ebilling_email, instalment_scheme)
SELECT :tenant, :'prefix' || '-9' || lpad(s.g::text, 7, '0'), 'open', now(), h.id, '', '', 10
FROM seed s JOIN revenues_hereditament h ON h.tenant_id = :tenant AND h.voa_reference = 'N' || lpad(s.g::text, 10, '0')
ORDER BY s.g;

INSERT INTO revenues_accountparty (tenant_id, account_id, name, added_at)
SELECT :tenant, a.id, forenames[1 + s.forename] || ' ' || surnames[1 + s.surname], now()
FROM seed s, words, revenues_account a
WHERE a.tenant_id = :tenant AND a.number = :'prefix' || '-' || lpad(s.g::text, 8, '0')
UNION ALL
SELECT :tenant, a.id, forenames[1 + s.forename_2] || ' ' || surnames[1 + s.surname], now()
FROM seed s, words, revenues_account a
WHERE a.tenant_id = :tenant AND a.number = :'prefix' || '-' || lpad(s.g::text, 8, '0') AND s.r_party < 0.35
UNION ALL
SELECT :tenant, a.id, h.firm_name, now()
FROM revenues_account a JOIN revenues_hereditament h ON h.id = a.hereditament_id WHERE a.tenant_id = :tenant;

CREATE TEMP TABLE fields ON COMMIT DROP AS
SELECT p.account_id, 'name' AS field, p.name AS text FROM revenues_accountparty p WHERE p.tenant_id = :tenant
UNION ALL
SELECT a.id, f.field, f.text
FROM revenues_account a
LEFT JOIN revenues_dwelling d ON d.id = a.dwelling_id
LEFT JOIN revenues_hereditament h ON h.id = a.hereditament_id
CROSS JOIN LATERAL (VALUES ('firm', h.firm_name),
                           ('address', coalesce(d.address_line_1, h.address_line_1)),
                           ('address', coalesce(d.address_line_2, h.address_line_2)),
                           ('address', coalesce(d.address_line_3, h.address_line_3)),
                           ('town', coalesce(d.town, h.town)),
                           ('postcode', coalesce(d.postcode, h.postcode))) AS f (field, text)
WHERE a.tenant_id = :tenant AND f.text <> '';

INSERT INTO revenues_accountsearchkey (tenant_id, account_id, key, field, position)
SELECT :tenant, account_id, key, field, min(position)
FROM (
    SELECT account_id, field, left(array_to_string(w[i:12], ' '), 100) AS key, i - 1 AS position
    FROM (
        SELECT account_id, field,
               regexp_split_to_array(trim(regexp_replace(lower(replace(text, '''', '')), '[^a-z0-9]+', ' ', 'g')), ' ')
               AS w
        FROM fields WHERE text ~ '[A-Za-z0-9]'
    ) AS split, generate_subscripts(w, 1) AS i
    WHERE i <= 12
) AS keys
GROUP BY account_id, field, key;
COMMIT;
ANALYZE revenues_dwelling;
ANALYZE revenues_hereditament;
ANALYZE revenues_account;
ANALYZE revenues_accountparty;
ANALYZE revenues_accountsearchkey;

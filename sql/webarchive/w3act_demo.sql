-- A small W3ACT dataset: open, closed, hidden and never-crawled targets of every scope.

-- name: load
TRUNCATE target, field_url, license, license_target, collection, collection_target, subject,
         subject_target;
INSERT INTO target (id, title, scope, crawl_frequency, hidden) VALUES
    (1, 'Example news', 'root', 'DAILY', false),
    (2, 'Example blogs', 'subdomains', 'WEEKLY', false),
    (3, 'One report', 'resource', 'MONTHLY', false),
    (4, 'Closed site', 'root', 'MONTHLY', false),
    (5, 'Hidden open site', 'root', 'MONTHLY', true),
    (6, 'Never crawled', 'root', 'NEVERCRAWL', false);
INSERT INTO field_url (id, target_id, url, position) VALUES
    (1, 1, 'https://www.news.example.org/', 0),
    (2, 2, 'http://blogs.example.net/', 0),
    (3, 3, 'https://reports.example.com/2024/annual.pdf', 0),
    (4, 4, 'https://closed.example.org/', 0),
    (5, 5, 'https://hidden.example.org/', 0),
    (6, 6, 'https://never.example.org/', 0),
    (7, 1, 'https://news.example.org/archive/', 1);
INSERT INTO license (id, name) VALUES (1, 'Open Government Licence'), (2, 'CC-BY');
INSERT INTO license_target VALUES (1, 1), (2, 2), (1, 3), (1, 5), (2, 6);
INSERT INTO collection (id, name, publish) VALUES (1, 'News', true), (2, 'Drafts', false);
INSERT INTO collection_target VALUES (1, 1), (2, 2), (1, 4);
INSERT INTO subject (id, name) VALUES (1, 'Politics'), (2, 'Arts');
INSERT INTO subject_target VALUES (1, 1), (2, 1);

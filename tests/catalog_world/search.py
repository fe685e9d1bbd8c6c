"""The search catalog: Queen, Daft Punk, distractors and made-up fillers, indexed for search."""

from __future__ import annotations

import hashlib
import random

from musaic.catalog.importers.records import AlbumRef, ArtistRef, TrackRecord
from musaic.catalog.search import rebuild_index
from musaic.extensions import db
from tests.catalog_world.builder import CatalogBuilder

# title, credited artists, album, year, popularity
REAL_TRACKS: tuple[tuple[str, str, str, int, int], ...] = (
    ("Bohemian Rhapsody", "Queen", "A Night at the Opera", 1975, 82),
    ("Bohemian Rhapsody - Remastered 2011", "Queen", "A Night at the Opera", 1975, 74),
    ("Bohemian Rhapsody - Live Aid", "Queen", "Live Aid", 1985, 51),
    ("Don't Stop Me Now", "Queen", "Jazz", 1978, 80),
    ("Another One Bites the Dust", "Queen", "The Game", 1980, 77),
    ("We Will Rock You", "Queen", "News of the World", 1977, 76),
    ("Somebody to Love", "Queen", "A Day at the Races", 1976, 73),
    ("Killer Queen", "Queen", "Sheer Heart Attack", 1974, 70),
    ("Under Pressure", "Queen, David Bowie", "Hot Space", 1982, 75),
    ("Radio Ga Ga", "Queen", "The Works", 1984, 66),
    ("Bohemian Like You", "The Dandy Warhols", "Thirteen Tales from Urban Bohemia", 2000, 88),
    ("Bohemian Rhapsody", "Panic! At The Disco", "Suicide Squad", 2016, 58),
    ("Bohemian Rhapsody", "The Muppets", "Muppets Most Wanted", 2009, 40),
    ("Bohemian Groove", "Brass Against", "Bohemian Groove", 2019, 31),
    ("La Bohème", "Charles Aznavour", "La Bohème", 1965, 55),
    ("Bohemia After Dark", "Cannonball Adderley", "Presenting Cannonball", 1955, 35),
    ("Boho Dance", "Joni Mitchell", "The Hissing of Summer Lawns", 1975, 38),
    ("Rhapsody in Blue", "George Gershwin", "Gershwin Plays Gershwin", 1924, 47),
    ("Hungarian Rhapsody No. 2", "Franz Liszt", "Liszt Piano Works", 1990, 42),
    ("Rhapsody on a Theme of Paganini", "Sergei Rachmaninoff", "Rachmaninoff Plays", 1934, 44),
    ("Rhapsody", "Lindsey Stirling", "Artemis", 2019, 36),
    ("Rhapsody of Fire", "Rhapsody of Fire", "Legendary Years", 2017, 28),
    ("One More Time", "Daft Punk", "Discovery", 2001, 78),
    ("Digital Love", "Daft Punk", "Discovery", 2001, 71),
    ("Harder, Better, Faster, Stronger", "Daft Punk", "Discovery", 2001, 76),
    ("Something About Us", "Daft Punk", "Discovery", 2001, 72),
    ("Around the World", "Daft Punk", "Homework", 1997, 74),
    ("Da Funk", "Daft Punk", "Homework", 1997, 65),
    (
        "Get Lucky (feat. Pharrell Williams)",
        "Daft Punk, Pharrell Williams",
        "Random Access Memories",
        2013,
        84,
    ),
    ("Instant Crush", "Daft Punk, Julian Casablancas", "Random Access Memories", 2013, 75),
    ("Starboy", "The Weeknd, Daft Punk", "Starboy", 2016, 89),
    ("Daft Punk Is Playing at My House", "LCD Soundsystem", "LCD Soundsystem", 2001, 57),
    ("Clint Eastwood", "Gorillaz", "Gorillaz", 2001, 79),
    ("One More Time", "Britney Spears", "...Baby One More Time", 1999, 60),
    ("Smells Like Teen Spirit", "Nirvana", "Nevermind", 1991, 85),
    ("Wonderwall", "Oasis", "(What's the Story) Morning Glory?", 1995, 83),
    ("Billie Jean", "Michael Jackson", "Thriller", 1982, 86),
    ("Hotel California", "Eagles", "Hotel California", 1976, 81),
    ("Stairway to Heaven", "Led Zeppelin", "Led Zeppelin IV", 1971, 79),
    ("Imagine", "John Lennon", "Imagine", 1971, 78),
    ("Hey Jude", "The Beatles", "Hey Jude", 1968, 77),
    ("Purple Rain", "Prince", "Purple Rain", 1984, 72),
    ("Like a Rolling Stone", "Bob Dylan", "Highway 61 Revisited", 1965, 70),
    ("Sweet Child O' Mine", "Guns N' Roses", "Appetite for Destruction", 1987, 84),
    ("Africa", "Toto", "Toto IV", 1982, 85),
    ("Take On Me", "a-ha", "Hunting High and Low", 1985, 84),
    ("Dancing Queen", "ABBA", "Arrival", 1976, 80),
    ("Queen of Hearts", "Juice Newton", "Juice", 1981, 55),
    ("Rock You Like a Hurricane", "Scorpions", "Love at First Sting", 1984, 74),
    ("Lose Yourself", "Eminem", "8 Mile", 2002, 85),
    ("Crazy in Love", "Beyoncé, JAY-Z", "Dangerously in Love", 2003, 78),
    ("Rolling in the Deep", "Adele", "21", 2011, 80),
    ("Blinding Lights", "The Weeknd", "After Hours", 2020, 90),
    ("Shape of You", "Ed Sheeran", "÷", 2017, 86),
    ("Despacito", "Luis Fonsi, Daddy Yankee", "Vida", 2019, 79),
    ("Señorita", "Shawn Mendes, Camila Cabello", "Señorita", 2019, 82),
)

_WORDS = [
    "midnight",
    "summer",
    "river",
    "golden",
    "broken",
    "electric",
    "silver",
    "lonely",
    "wild",
    "velvet",
    "neon",
    "paper",
    "crystal",
    "falling",
    "burning",
    "frozen",
    "hollow",
    "distant",
    "secret",
    "restless",
]
_NOUNS = [
    "heart",
    "city",
    "dream",
    "fire",
    "rain",
    "road",
    "night",
    "sky",
    "ocean",
    "light",
    "shadow",
    "garden",
    "train",
    "letter",
    "mirror",
    "echo",
    "song",
    "dance",
    "storm",
    "window",
]


def fake_spotify_id(seed: str) -> str:
    """Return a stable 22-character base62 id for a made-up track."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return "".join(alphabet[(number >> (6 * i)) % 62] for i in range(22))


def search_record(
    title: str,
    artists: str,
    album: str,
    year: int | None,
    *,
    spotify_id: str | None = None,
    popularity: int | None = None,
) -> TrackRecord:
    """Describe one track credited to the comma-separated `artists`, as an import would."""
    return TrackRecord(
        title=title,
        artists=[ArtistRef(name.strip()) for name in artists.split(",")],
        spotify_id=spotify_id,
        album=AlbumRef(album, release_date=str(year) if year else None),
        duration_ms=210_000,
        explicit=False,
        popularity=popularity,
    )


def build_search_catalog(fillers: int = 240) -> dict[tuple[str, str], int]:
    """Add the real tracks and `fillers` made-up ones, index them; return ids by (title, artist)."""
    real = [
        search_record(
            title,
            artists,
            album,
            year,
            spotify_id=fake_spotify_id(f"{title}|{artists}"),
            popularity=popularity,
        )
        for title, artists, album, year, popularity in REAL_TRACKS
    ]
    chooser = random.Random(1975)
    made_up, counts = [], []
    for number in range(fillers):
        title = f"{chooser.choice(_WORDS).title()} {chooser.choice(_NOUNS).title()}"
        artist = f"The {chooser.choice(_WORDS).title()} {chooser.choice(_NOUNS).title()}s"
        album, year = f"{title} Sessions", 1960 + number % 60
        made_up.append(search_record(title, artist, album, year, popularity=chooser.randint(0, 60)))
        counts.append(chooser.randint(0, 40))
    b = CatalogBuilder()
    ids = b.write(real)
    for track_id, playlist_count in zip(b.write(made_up), counts, strict=True):
        b.set_playlist_count(track_id, playlist_count)
    b.commit()
    rebuild_index()
    db.session.commit()
    keys = [(title, artists.split(",")[0]) for title, artists, *_ in REAL_TRACKS]
    return dict(zip(keys, ids, strict=True))

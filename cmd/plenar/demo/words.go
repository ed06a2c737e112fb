package demo

// Word lists for the demo city. They are literals and never mutated.

// nameSet is a group of given and family names that go together.
type nameSet struct {
	weight         int
	female, male   []string
	family         []string
	titleFrequency int // per mille of persons with an academic title
}

var nameSets = []nameSet{
	{weight: 74, titleFrequency: 90,
		female: []string{"Anna", "Katharina", "Sabine", "Claudia", "Petra", "Julia", "Laura", "Sophie", "Marie",
			"Christiane", "Birgit", "Monika", "Franziska", "Ute", "Heike", "Kerstin", "Doreen", "Mandy", "Yvonne",
			"Nadine", "Jana", "Anke", "Susanne", "Silke", "Cornelia", "Grit", "Antje", "Friederike", "Henriette",
			"Charlotte", "Johanna", "Luise", "Greta", "Ines", "Beate", "Gudrun", "Renate", "Annegret", "Jördis"},
		male: []string{"Thomas", "Michael", "Andreas", "Stefan", "Frank", "Jörg", "Jürgen", "Uwe", "Matthias",
			"Christian", "Tobias", "Jan", "Lukas", "Felix", "Jonas", "Henrik", "René", "André", "Björn", "Sören",
			"Ole", "Maximilian", "Paul", "Torsten", "Holger", "Dirk", "Ralf", "Steffen", "Sebastian", "Florian",
			"Karl-Heinz", "Hans-Jürgen", "Günter", "Detlef", "Malte", "Jens", "Nils", "Mathias", "Bernd"},
		family: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
			"Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
			"Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Schulze",
			"Köhler", "Herrmann", "König", "Walter", "Kaiser", "Fuchs", "Peters", "Scholz", "Möller", "Weiß",
			"Jung", "Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Berger", "Winkler", "Roth",
			"Lorenz", "Baumann", "Franke", "Albrecht", "Böhm", "Winter", "Jäger", "Sommer", "Groß", "Seidel",
			"Heinrich", "Brandt", "Schreiber", "Dietrich", "Kühn", "Pohl", "Engel", "Horn", "Bergmann", "Voigt",
			"Sauer", "Arnold", "Pfeiffer", "Ludwig", "Große-Wöstmann", "von Alvensleben", "Thießen", "Rößler",
			"Hübner", "Löffler", "Nägele", "Gräfe", "Stöckel", "Mühlberg", "Däumler", "Schütze"}},
	{weight: 10, titleFrequency: 40,
		female: []string{"Ayşe", "Elif", "Zeynep", "Fatma", "Gül", "Leyla", "Derya", "Emine", "Hülya", "Şeyma"},
		male:   []string{"Mehmet", "Ahmet", "Murat", "Emre", "Yusuf", "Cem", "Hakan", "Serkan", "Oğuz", "Deniz"},
		family: []string{"Doğan", "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan", "Koç"}},
	{weight: 8, titleFrequency: 60,
		female: []string{"Agnieszka", "Katarzyna", "Małgorzata", "Olena", "Natalia", "Iryna", "Joanna", "Ewa"},
		male:   []string{"Łukasz", "Paweł", "Tomasz", "Oleksandr", "Andrij", "Piotr", "Krzysztof", "Bogdan"},
		family: []string{"Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski", "Schewtschenko", "Kowalenko",
			"Zieliński", "Dąbrowski", "Bondarenko"}},
	{weight: 8, titleFrequency: 80,
		female: []string{"Amina", "Sara", "Lina", "Mariam", "Giulia", "Lan", "Ana", "Noor", "Svetlana", "Milica"},
		male:   []string{"Karim", "Omar", "Giovanni", "Marco", "Minh", "Tarek", "Dmitri", "Sergej", "Goran", "Kwame"},
		family: []string{"Haddad", "Al-Khatib", "Mansour", "Rossi", "Esposito", "Nguyen", "Tran", "Kovačević",
			"Popović", "Ivanović", "Petrov", "Mensah", "Sánchez", "Ferreira"}},
}

// Youth council members get younger names.
var (
	youthFemale = []string{"Mia", "Emma", "Lina", "Ronja", "Hannah", "Lea", "Emilia", "Ella", "Zoe", "Elif", "Amira", "Maja"}
	youthMale   = []string{"Ben", "Noah", "Elias", "Finn", "Leon", "Luca", "Mats", "Emil", "Yusuf", "Milan", "Anton", "Jakub"}
)

var titles = []string{"Dr.", "Dr.", "Dr.", "Dr.", "Prof. Dr.", "Dipl.-Ing.", "Dr. med."}

// Places in Musterstadt.
var (
	streets = []string{"Magdeburger Straße", "Lindenweg", "Hauptstraße", "Bahnhofstraße", "Schillerstraße",
		"Goethestraße", "Breiter Weg", "Kastanienallee", "Friedrich-Ebert-Straße", "Halberstädter Chaussee",
		"Leipziger Straße", "Am Stadtpark", "Lessingstraße", "Otto-von-Guericke-Straße", "Mühlenweg",
		"Rosenstraße", "Kirchplatz", "Große Münzstraße", "Wiesenweg", "Ernst-Reuter-Allee", "Am Anger",
		"Gartenstraße", "Birkenallee", "Salzwedeler Straße", "Uferpromenade", "Klosterstraße", "Brückstraße",
		"Marktstraße", "Schönebecker Straße", "Am Mühlenteich", "Wilhelm-Külz-Straße", "Ölmühlenweg"}
	districts = []string{"Altstadt", "Südstadt", "Neustadt", "Nordpark", "Lindenau", "Kirchberg", "Wiesenhof",
		"Neudorf am See", "Bahnhofsviertel", "Buckau-Ost", "Sudenfeld"}
	schools = []string{"Grundschule Am Lindenweg", "Grundschule Kastanienallee", "Gemeinschaftsschule Am Stadtpark",
		"Gymnasium Am Domplatz", "Sekundarschule „Thomas Müntzer“", "Förderschule Am Wiesenweg",
		"Grundschule Lindenau", "Grundschule Kirchberg", "Berufsbildende Schulen „Otto von Guericke“",
		"Gesamtschule Südstadt", "Grundschule „Astrid Lindgren“", "Gymnasium Neustadt"}
	kitas = []string{"Kita „Sonnenschein“", "Kita „Pusteblume“", "Kita „Regenbogen“", "Integrative Kita „Zwergenland“",
		"Kita „Am Mühlenteich“", "Kita „Kleine Strolche“", "Hort „Grashüpfer“", "Kita „Waldwichtel“"}
	stops = []string{"Hauptbahnhof/Ernst-Reuter-Allee", "Alter Markt", "Lindenweg", "Stadtpark", "Kastanienallee",
		"Südfriedhof", "Uniplatz", "Bahnhof Neustadt", "Kirchberg Schleife", "Wiesenhof Zentrum"}
	areas = []string{"Am Mühlenteich", "Wohnen an der Sülze", "Gewerbegebiet Nord-Ost", "Alte Gärtnerei",
		"Kasernengelände West", "Lindenauer Feld", "Ehemaliger Schlachthof", "Am Kirchberg II", "Quartier Bahnhof Süd",
		"Solarpark Wiesenhof", "Seeufer Neudorf", "Hinter den Gärten"}
	parks = []string{"Stadtpark", "Rotehornpark", "Glacisanlagen", "Nordpark", "Klosterbergegarten", "Wiesenhofer Anger",
		"Seeufer Neudorf", "Lindenauer Dorfteich"}
	sportSites = []string{"Sportplatz Am Anger", "Sporthalle Kastanienallee", "Stadion Lindenau", "Schwimmhalle Nord",
		"Sportpark Südstadt", "Turnhalle Kirchberg", "Freibad Neudorf", "Bolzplatz Wiesenweg"}
	clubs = []string{"SV Musterstadt 1911 e. V.", "TSG Lindenau", "Musterstädter Ruderverein", "Kulturverein Alte Feuerwache",
		"Heimatverein Kirchberg", "Tafel Musterstadt e. V.", "Kinderschutzbund Ortsverband Musterstadt",
		"Förderverein Freibad Neudorf", "Jugendkunstschule Musterstadt", "Posaunenchor St. Johannis"}
	programs = []string{"Stark V", "Digitalpakt Schule", "Sanierung kommunaler Sportstätten", "Städtebauförderung „Lebendige Zentren“",
		"Kommunalrichtlinie", "Ganztagsausbau", "Radnetz Deutschland", "EFRE 2021–2027", "GRW-Infrastruktur"}
	firms = []string{"Bauunternehmen Krüger & Söhne GmbH", "Ingenieurbüro Lange + Partner", "Elbe-Tiefbau GmbH",
		"Planungsgruppe Stadtraum", "Gebäudetechnik Schewtschenko GmbH", "Landschaftsarchitekten Nowak Rossi"}
	facilities = []string{"Straßenbeleuchtung", "Fahrradabstellanlagen", "Bushaltestellen", "Ampelanlagen",
		"Schultoiletten", "Turnhallen", "Spielplätze", "öffentlichen Toilettenanlagen", "Trinkwasserbrunnen",
		"Ladesäulen für Elektrofahrzeuge", "Straßenbäume", "Brücken", "Feuerwehrgerätehäuser"}
	fees = []string{"Straßenreinigungsgebührensatzung", "Friedhofsgebührensatzung", "Elternbeitragssatzung für Kindertageseinrichtungen",
		"Abfallgebührensatzung", "Sondernutzungssatzung", "Parkgebührenordnung", "Benutzungsordnung der Stadtbibliothek",
		"Hundesteuersatzung", "Vergnügungssteuersatzung", "Entgeltordnung für städtische Sporthallen"}
	youthPlaces = []string{"Jugendzentrum „Alte Feuerwache“", "Jugendclub Südstadt", "Offener Jugendtreff Kirchberg",
		"Skatepark Am Anger", "Mädchentreff „Lila Villa“"}
)

"""Word lists of :mod:`casestats.privacy`: capitalised words that are not people.

The privacy check treats a run of capitalised words as a possible name
unless every word but one is known: an eponym (``Raynaud``), a place at
country level or above, a month, a word of the schema's vocabularies, or an
English word that often starts a sentence or a heading. The lists are plain
words, lower-cased, space-separated; edit them here.
"""

from __future__ import annotations

# Eponyms and proper names of clinical medicine, statistics and laboratory work.
EPONYMS = """
addison albright alizarin alport bouchard bartter becker behçet behcet bonferroni bowen bruton
budd chiari charcot churg strauss clopper cochran congo conn cox creutzfeldt crohn cushing
danlos down dubin duchenne dupuytren ehlers eosin fabry fairley fanconi fisher friedreich
gaucher gilbert goodpasture gottron graves guillain barré barre hashimoto heberden henoch
schönlein schoenlein holm hodgkin holt horner huntington janeway jakob kaplan meier kawasaki
klinefelter kossa kruskal wallis kussmaul laennec langerhans lyme mann whitney mantel haenszel
marfan mcnemar meckel ménière meniere milroy monckeberg mönckeberg nelson noonan osler paget
parkinson pearson peutz jeghers poland pott raynaud reiter rendu reye rodnan rothmund
thomson schober schmidt sjögren sjogren spearman stevens johnson still sturge weber sweet takayasu
thibierge weissenbach tietze turner wegener werner whipple wilcoxon wilms wilson winer wiskott
aldrich wolff yates haldane anscombe student tukey dunn holm hochberg benjamini yekutieli
dersimonian laird knapp hartung egger begg sidak šidák
westergren tc technetium papanicolaou giemsa masson gram wright ziehl neelsen prussian perls
schiff alcian kayser fleischer babinski romberg tinel phalen finkelstein apgar glasgow karnofsky
charlson barthel rankin medsger leroy rodnan healey thomsen calcinosis crest scleroderma lupus
""".split()

# Places at country level or above, nationalities, languages, regions of the world.
PLACES = """
afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan bahamas
bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia herzegovina botswana
brazil brunei bulgaria burkina faso burundi cambodia cameroon canada chad chile china colombia
comoros congo costa rica croatia cuba cyprus czech czechia denmark djibouti dominica dominican
ecuador egypt salvador eritrea estonia eswatini ethiopia fiji finland france gabon gambia georgia
germany ghana greece grenada guatemala guinea bissau guyana haiti honduras hong kong hungary
iceland india indonesia iran iraq ireland israel italy ivory coast jamaica japan jordan kazakhstan
kenya kiribati korea kosovo kuwait kyrgyzstan laos latvia lebanon lesotho liberia libya
liechtenstein lithuania luxembourg macau madagascar malawi malaysia maldives mali malta
mauritania mauritius mexico moldova monaco mongolia montenegro morocco mozambique myanmar namibia
nauru nepal netherlands holland zealand nicaragua niger nigeria macedonia norway oman pakistan
palau palestine panama papua paraguay peru philippines poland portugal qatar romania russia
rwanda samoa marino saudi arabia senegal serbia seychelles sierra leone singapore slovakia
slovenia solomon somalia south africa sudan spain sri lanka suriname sweden switzerland syria
taiwan tajikistan tanzania thailand timor togo tonga trinidad tobago tunisia turkey türkiye
turkmenistan tuvalu uganda ukraine emirates uk usa us united kingdom states america uruguay
uzbekistan vanuatu vatican venezuela vietnam yemen zambia zimbabwe england scotland wales
northern puerto rico greenland europe asia africa oceania antarctica americas latin caribbean
middle east north west central eastern western southern northern southeast scandinavia nordic
balkans mediterranean pacific atlantic arab arabic african american asian european caucasian
hispanic latino latina white black indigenous aboriginal british english french german spanish
italian portuguese dutch belgian swiss austrian polish czech slovak hungarian romanian bulgarian
greek turkish russian ukrainian swedish norwegian danish finnish icelandic irish scottish welsh
chinese japanese korean indian pakistani bangladeshi nepali thai vietnamese filipino indonesian
malaysian iranian persian iraqi israeli jewish egyptian moroccan tunisian algerian nigerian
ghanaian kenyan ethiopian mexican brazilian argentine argentinian chilean colombian peruvian
canadian australian taiwanese saudi lebanese syrian jordanian kurdish sub saharan
""".split()

# Months and weekdays in English, French, German, Spanish, Italian.
CALENDAR = """
january february march april may june july august september october november december jan feb
mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
janvier février mars avril mai juin juillet août septembre octobre novembre décembre januar
februar märz juni juli oktober dezember enero febrero marzo abril mayo junio julio agosto
septiembre octubre noviembre diciembre gennaio febbraio aprile maggio giugno luglio settembre
ottobre dicembre
""".split()

# English words that start sentences or headings, or are capitalised in medical prose.
COMMON = """
a about above abstract according acute additional admitted after again against age aged all
also although among an and another any appendix are article as at author authors available
background based because been before began being below benign between biopsy both but by
calcified calcification calcifications calcium case cases category center centre chapter
checked chronic class clinic clinical cohort combined comment comments comparator complete
conclusion conclusions control cohort count criteria cutis daily data department derived
described description diagnosis died differential discharged discussion disease diseases
during each earlier early elevated else every examination excision excluded exposure fewer
figure findings first follow following for four from further group groups had has have he
healed healthy her here his history hospital however if improved in included includes index
intact interpretation introduction is it its labs last late later left less letter level
limited low main many may methods mild mixed moderate more most much multiple my negative new
newly next no none normal not note notes now observation observations observed of on once one
only or oral other others otherwise our outcome outcomes over overall page para paragraph part
past patient patients per persistent physical poor population positive possible present
presented previously primary printed rare reference references referred registry report
reports research result results review right same score second section see seen serum severe
several she since single skin so some source sources stable stage study subset such summary
supplementary surgical symptomatic syndrome table tables test than that the their then there
these they third this those three to topical total treated treatment treatments two type under
unit university unknown up upon use used very was we were what when where which while who with
within without year years yes zero
""".split()

# Frequent given names of many origins, for single names with no other cue
# ("Mehmet was referred") and names inside case ids ("maria_gonzalez").
# Names that are also common words (Rose, Grace, Will, Mark, May, June) are left out.
GIVEN_NAMES = """
aaron abdul abdullah adam adriana ahmed aisha akira alan albert alejandro aleksandra alex
alexander alexandra ali alice alicia amanda amina ana anders andrea andreas andrew andrzej
angela ann anna anne annette antonio arjun astrid barbara beatriz benjamin bernard birgit
brian bruno camille carl carla carlos carmen caroline catherine charles charlotte chen chiara
christian christina christine claire claudia daniel daniela david deborah diana diego dmitry
dominik dorothy edward elena elisabeth elizabeth ellen emily emma emmanuel eric erik eva fatima
fatma felix fernando francesca francesco francisco françois frank fred gabriel gabriela george
giorgio giovanni giulia giuseppe gustav hana hannah hans harald hassan heinz helen helena
henrik hiroshi hugo ibrahim igor ines inês ingrid irina isabel isabella ivan jacob jakub james
jan jana jane javier jean jennifer jens jessica joanna johan johann johannes john jorge jose
josé joseph juan julia julie jürgen karen karin karl katarzyna katherine kenji klaus krzysztof
kumar lars laura leila lena leon li lina linda lisa lucas lucia luis luisa magdalena maria
mariam marie marina mario marta martin mary maría mateo matteo mehmet michael michel miguel
mohamed mohammed muhammad nadia natalia nicolas nikolai nina olga oliver olivia omar pablo paolo
patricia paul paula pedro peter philippe pierre piotr priya rahul raj rajesh ramón rebecca
robert roberto rosa sabine sandra sara sarah sergei sergio simon sofia sophie stefan stefano
susan svetlana tatiana thomas tomasz ursula valentina vera victor viktor wei wolfgang xavier
yan yasmin yusuf yuki zainab zhang
""".split()

# Words of addresses and institutions: places, never a person's name on their own.
PLACE_WORDS = """
street st road rd avenue ave lane ln drive close crescent way place court terrace gardens grove
boulevard blvd square sq row hill parade mews walk hospital infirmary clinic medical centre
center health hospice klinikum klinik krankenhaus hôpital hopital ospedale policlinico clínica
clinica sanatorium nursing home care general royal district regional teaching tertiary
community memorial children's women's institute foundation trust department unit service
""".split()

# Courtesy and professional titles, in several languages.
TITLES = """
mr mrs ms miss mx dr dra prof herr frau mme mlle sr sra srta sig dott dottssa sir dame
""".split()

# Words of abbreviated journal titles (ISO 4 / NLM style), as cited in notes.
JOURNALS = """
acad acta adv am ann arch biol br bull can case chem clin curr dermatol dermatology dis endocrinol
eur exp gen hum immunol ind indian int intern j jpn lancet med metab mol n nat nephrol neurol
obstet oncol orthop paediatr pathol pediatr pharmacol phys physiol proc radiol rep res rev
rheum rheumatol rheumatology sci scand surg ther transl trop

""".split()

# Clinical words often capitalised in headings and named scales (Bone Marrow
# Transplant, Glasgow Coma Scale, Lichen Planus); department names.
MEDICAL = """
abscess acid activity anaemia anemia antibody antigen arthritis artery assessment atrophy
blood bone brain cancer carcinoma cardiac care cell cells coma condition connective cord cyst
deficiency dermatitis dermatology diabetes disorder dose emergency endocrinology erythema
erythematosus failure fever fibrosis fracture function gastroenterology gland grade heart
hepatitis hormone imaging infection inflammation inpatient insufficiency intensive kidney
lesion lesions leukaemia leukemia lichen liver lung lymphoma marrow medicine morphea muscle
myositis nephrology nerve neurology nodule nodules oncology orthopaedics orthopedics outpatient
pain paediatrics pediatrics planus pneumonia pressure psoriasis radiology rash renal
rheumatology sarcoidosis scale sclerosis score sign surgery syndrome therapy thyroid tissue
transplant trial tumour tumor ulcer ulcers vasculitis vein
""".split()

# Capitals and large cities of the world (and a few in the case literature), lower case:
# a place finer than the country. Cities that share a country's name (Mexico, Kuwait,
# Singapore) are left out, and so are those that are common words (Nice, Bath, Reading).
CITIES = frozenset(
    line.strip()
    for line in """
kabul|tirana|algiers|luanda|buenos aires|cordoba|rosario|yerevan|sydney|melbourne|brisbane
perth|adelaide|canberra|vienna|wien|graz|baku|manama|dhaka|chittagong|minsk|brussels|bruxelles
antwerp|ghent|porto novo|cotonou|la paz|sucre|sarajevo|gaborone|brasilia|brasília|sao paulo
são paulo|rio de janeiro|belo horizonte|porto alegre|recife|salvador da bahia|curitiba
fortaleza|sofia|ouagadougou|bujumbura|phnom penh|yaounde|yaoundé|douala|ottawa|toronto
montreal|montréal|vancouver|calgary|edmonton|winnipeg|quebec city|bangui|n'djamena|santiago
beijing|shanghai|guangzhou|shenzhen|chengdu|wuhan|tianjin|chongqing|nanjing|hangzhou|xi'an
harbin|bogota|bogotá|medellin|medellín|cali|barranquilla|kinshasa|brazzaville|san jose
zagreb|havana|nicosia|prague|praha|brno|copenhagen|københavn|aarhus|santo domingo|quito
guayaquil|cairo|alexandria|asmara|tallinn|addis ababa|helsinki|espoo|tampere|turku|paris
lyon|marseille|toulouse|bordeaux|lille|strasbourg|nantes|montpellier|rennes|grenoble
libreville|banjul|tbilisi|berlin|hamburg|munich|münchen|cologne|köln|frankfurt|stuttgart
düsseldorf|dusseldorf|leipzig|dresden|hannover|heidelberg|freiburg|accra|kumasi|athens
thessaloniki|conakry|georgetown|port-au-prince|tegucigalpa|budapest|reykjavik
reykjavík|new delhi|delhi|mumbai|bombay|kolkata|calcutta|chennai|madras|bangalore|bengaluru
hyderabad|ahmedabad|pune|jaipur|lucknow|chandigarh|kochi|jakarta|surabaya|bandung|tehran
mashhad|isfahan|shiraz|tabriz|baghdad|basra|erbil|dublin|cork|galway|jerusalem|tel aviv
haifa|rome|roma|milan|milano|naples|napoli|turin|torino|florence|firenze|bologna|genoa
genova|palermo|venice|venezia|padua|padova|verona|abidjan|kingston|tokyo|osaka|kyoto
yokohama|nagoya|sapporo|fukuoka|kobe|amman|astana|almaty|nairobi|mombasa|pristina|bishkek
vientiane|riga|beirut|maseru|monrovia|tripoli|benghazi|vilnius|kaunas|antananarivo|lilongwe
blantyre|kuala lumpur|bamako|valletta|nouakchott|port louis|guadalajara|monterrey|chisinau
ulaanbaatar|podgorica|rabat|casablanca|marrakesh|marrakech|fez|maputo|yangon|naypyidaw
windhoek|kathmandu|amsterdam|rotterdam|the hague|utrecht|eindhoven|groningen|leiden
nijmegen|maastricht|auckland|wellington|christchurch|managua|niamey|abuja|lagos|ibadan
kano|enugu|skopje|oslo|bergen|trondheim|tromsø|tromso|muscat|islamabad|karachi|lahore
rawalpindi|peshawar|panama city|port moresby|asuncion|asunción|lima|arequipa|manila
quezon city|cebu|warsaw|warszawa|krakow|kraków|lodz|łódź|wroclaw|wrocław|poznan|poznań
gdansk|gdańsk|lublin|katowice|lisbon|lisboa|coimbra|doha|bucharest|bucurești|cluj-napoca
iasi|iași|moscow|saint petersburg|st petersburg|novosibirsk|yekaterinburg|kazan|kigali
riyadh|jeddah|mecca|medina|dammam|dakar|belgrade|beograd|novi sad|freetown|bratislava
ljubljana|mogadishu|johannesburg|cape town|durban|pretoria|seoul|busan|daegu|incheon
gwangju|daejeon|juba|madrid|barcelona|valencia|seville|sevilla|zaragoza|malaga|málaga
bilbao|granada|salamanca|valladolid|colombo|kandy|khartoum|paramaribo|stockholm|gothenburg
göteborg|malmö|malmo|uppsala|lund|bern|zurich|zürich|geneva|genève|basel|lausanne|damascus
aleppo|taipei|kaohsiung|taichung|dushanbe|dodoma|dar es salaam|bangkok|chiang mai|lomé
lome|tunis|sfax|sousse|monastir|ankara|istanbul|izmir|bursa|antalya|konya|adana|ashgabat
kampala|kyiv|kiev|kharkiv|lviv|odesa|odessa|abu dhabi|dubai|sharjah|london|birmingham
manchester|liverpool|leeds|sheffield|bristol|newcastle|nottingham|leicester
edinburgh|aberdeen|cardiff|belfast|southampton|oxford|cambridge|brighton|new york|los angeles
chicago|houston|philadelphia|phoenix|san antonio|san diego|dallas|boston|seattle|denver
baltimore|atlanta|miami|detroit|minneapolis|cleveland|pittsburgh|st louis|new orleans
san francisco|washington dc|montevideo|tashkent|samarkand|caracas|maracaibo|hanoi|ho chi minh
ho chi minh city|saigon|sanaa|lusaka|harare|bulawayo
""".replace("\n", "|").split("|")
    if line.strip()
)

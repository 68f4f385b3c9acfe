/**
 * What marketers' files call the built-in fields, in the languages our customers export from (English, French,
 * German, Spanish, Italian, some Dutch), keyed by built-in field key. Written as people write them: matching
 * ignores case, accents, spaces, "_" and "-" (see headerWords).
 *
 * `weak` names are common but ambiguous ("ID", "Title", "Notes"): they make a medium-confidence suggestion only.
 */
export const HEADER_SYNONYMS: Readonly<Record<string, { strong: readonly string[]; weak?: readonly string[] }>> = {
  email: {
    strong: [
      'email', 'mail', 'email address', 'mail address', 'personal email', 'primary email', 'contact email', 'correo',
      'correo electrónico', 'email principal', 'courriel', 'adresse e-mail', 'adresse email', 'adresse mail',
      'adresse électronique', 'e-mail-adresse', 'mailadresse', 'posta elettronica', 'indirizzo email', 'e-posta',
    ],
  },
  professional_email: {
    strong: [
      'professional email', 'work email', 'work mail', 'business email', 'office email', 'company email', 'corporate email',
      'email professionnel', 'courriel professionnel', 'adresse e-mail professionnelle', 'email pro', 'geschäftliche e-mail',
      'e-mail geschäftlich', 'correo del trabajo', 'correo corporativo', 'correo profesional', 'email aziendale', 'email lavoro',
    ],
  },
  mobile: {
    strong: [
      'mobile', 'mobile phone', 'mobile number', 'mobile phone number', 'mobile no', 'phone mobile', 'cell', 'cell phone',
      'cell number', 'cellular', 'handy', 'handynummer', 'mobilnummer', 'mobiltelefon', 'mobil', 'móvil', 'teléfono móvil',
      'celular', 'portable', 'téléphone portable', 'tél portable', 'numéro de portable', 'cellulare', 'numero di cellulare',
      'telefono cellulare', 'gsm', 'smartphone',
    ],
    weak: ['sms'],
  },
  phone: {
    strong: [
      'phone', 'telephone', 'téléphone', 'teléfono', 'telefono', 'telefon', 'telefonnummer', 'tel', 'phone number',
      'telephone number', 'numéro de téléphone', 'número de teléfono', 'landline', 'home phone', 'work phone', 'business phone',
      'office phone', 'téléphone fixe', 'festnetz',
    ],
    weak: ['fixe', 'fon'],
  },
  first_name: {
    strong: ['first name', 'given name', 'forename', 'fname', 'prénom', 'vorname', 'nombre', 'nome', 'voornaam'],
    weak: ['first'],
  },
  last_name: {
    strong: ['last name', 'surname', 'family name', 'lname', 'nom', 'nom de famille', 'nachname', 'familienname', 'apellido', 'apellidos', 'cognome', 'achternaam'],
    weak: ['last'],
  },
  company: {
    strong: [
      'company', 'company name', 'organization', 'organisation', 'organization name', 'firma', 'firmenname', 'unternehmen',
      'société', 'entreprise', "nom de l'entreprise", 'raison sociale', 'empresa', 'nombre de la empresa', 'azienda',
      'ragione sociale', 'account name', 'employer', 'business name',
    ],
    weak: ['org', 'account'],
  },
  job_title: {
    strong: ['job title', 'position', 'job position', 'job role', 'designation', 'poste', 'fonction', 'intitulé de poste', 'cargo', 'puesto', 'berufsbezeichnung', 'jobtitel', 'stellenbezeichnung', 'qualifica', 'mansione'],
    weak: ['title', 'titre', 'titel', 'job', 'role', 'function', 'funktion', 'ruolo'],
  },
  postal_code: {
    strong: ['postal code', 'postcode', 'post code', 'zip', 'zip code', 'plz', 'postleitzahl', 'code postal', 'código postal', 'cap', 'cp'],
    weak: ['postal'],
  },
  country: {
    strong: ['country', 'land', 'país', 'pays', 'paese', 'country name', 'staat'],
    weak: ['nation', 'country code'],
  },
  city: {
    strong: ['city', 'town', 'ort', 'stadt', 'wohnort', 'ville', 'ciudad', 'città', 'localidad', 'locality', 'localité', 'commune'],
  },
  street_address: {
    strong: ['street address', 'street', 'address', 'address line 1', 'address 1', 'straße', 'strasse', 'anschrift', 'adresse', 'rue', 'dirección', 'calle', 'indirizzo'],
  },
  website: {
    strong: ['website', 'web site', 'url', 'homepage', 'home page', 'site web', 'site internet', 'webseite', 'internetseite', 'sitio web', 'página web', 'sito web', 'web address'],
    weak: ['web', 'site'],
  },
  domain: { strong: ['domain', 'domain name', 'domaine', 'dominio', 'company domain'] },
  industry: { strong: ['industry', 'sector', 'branche', 'secteur', "secteur d'activité", 'industria'], weak: ['vertical'] },
  description: { strong: ['description', 'beschreibung', 'descripción', 'descrizione'], weak: ['notes', 'note', 'comments', 'comment', 'remarks', 'bemerkung'] },
  year_founded: {
    strong: ['year founded', 'founded year', 'founding year', 'year established', 'year started', 'année de création', 'gründungsjahr', 'año de fundación'],
    weak: ['founded', 'established'],
  },
  birth_date: {
    strong: ['birth date', 'date of birth', 'dob', 'birthday', 'geburtsdatum', 'geburtstag', 'date de naissance', 'fecha de nacimiento', 'data di nascita'],
  },
  customer_id: {
    strong: [
      'customer id', 'customer number', 'customer no', 'client id', 'client number', 'contact id', 'member id', 'membership number',
      'external id', 'crm id', 'kundennummer', 'kunden-id', 'numéro client', 'id client', 'número de cliente', 'id cliente', 'codice cliente',
    ],
    weak: ['id', 'identifiant', 'user id', 'account number'],
  },
};

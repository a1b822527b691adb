/**
 * Person names inside free text ("call John Smith at …"): a common given name followed by a
 * capitalised surname (optionally a middle initial or a particle such as "van" or "de"), or a
 * title followed by a capitalised surname ("Dr. Patel", "Mrs Okafor").
 *
 * The given names are a compact list compiled for this project (see `GIVEN_NAMES`), not a full
 * census list, so rarer names are missed: the detector favours being right over being complete.
 * A capitalised word is never enough on its own — sentence starts, products and places are
 * capitalised too — and given names that are also everyday words ("Will", "Mark", "Grant") only
 * count away from the start of a sentence.
 */

/**
 * Common given names across the languages users write tickets in (English, French, German,
 * Spanish, Portuguese, Italian, Dutch, Nordic, Slavic, Greek, Turkish, Arabic, Persian, Indian,
 * African, and romanised Chinese, Japanese, Korean and Vietnamese), compiled by hand for this
 * project from general knowledge of which names are frequent; a list of facts, under the
 * project's licence. It is deliberately short (a few hundred names): enough for the names most
 * tickets mention, small enough to ship.
 */
export const GIVEN_NAMES: readonly string[] = `
Aaron Abdul Abdullah Abigail Adam Adrian Ahmed Aiden Aisha Alan Albert Alejandro Alex Alexander Alexandra Alexis Ali Alice Alicia Alina Alison Amanda Amelia Amir Amit Amy Ana Anders Andrea Andreas André Andrew Andrzej Angela Anil Anita Ann Anna Anne Annette Anthony Antoine Antonio Arjun Arthur Ashley Astrid Aurelie Ayesha
Barbara Beatriz Ben Benjamin Bernard Beth Betty Bianca Bjorn Björn Brandon Brenda Brian Bruno Bryan
Camille Carl Carla Carlos Carmen Caroline Catherine Cecilia Charles Charlotte Chen Chloe Chris Christian Christina Christine Christopher Claire Claudia Colin Connor Craig Cristina Cynthia
Daniel Daniela Danielle David Deborah Deepak Denise Dennis Diana Diego Dimitri Dmitry Donald Donna Dorothy Douglas Dylan
Edward Elena Eleni Elif Elijah Elisa Elizabeth Ella Ellen Emily Emma Emre Eric Erik Erin Ethan Eva Evelyn
Fabian Fatima Federico Felix Fernando Fiona Florian Francesca Francesco Francisco François Frederik Friedrich
Gabriel Gabriela Gary George Georg Gerald Giorgos Giovanni Giulia Giuseppe Gloria Gregory Greta Guillaume Gunnar
Hamza Hannah Hans Harold Hassan Heidi Heinrich Helen Helena Hélène Henrik Henry Hiroshi Hugo Hussein
Ian Igor Ines Ingrid Isaac Isabel Isabella Isabelle Ivan
Jacob Jacqueline Jakob Jakub James Jan Jana Janet Janice Jason Javier Jean Jean-Luc Jean-Pierre Jeffrey Jennifer Jens Jeremy Jerome Jessica Joan Joanna Joao João Joe Johan Johann Johannes John Jonas Jonathan Jorge José Joseph Joshua Juan Judith Julia Julian Julie Juliette Jun Justin Jürgen
Kamal Karen Karin Karl Kasia Katarzyna Kate Katherine Kathleen Kathryn Katrin Kenji Kenneth Kevin Kim Klaus Krishna Kristina Kumar Kyle
Lakshmi Lars Laura Lauren Laurent Lea Leila Leon Leonardo Li Lin Linda Lisa Liu Lorenzo Louis Louise Luca Lucas Lucia Luis Luisa Lukas Luke Ludwig Lucía
Magnus Mahmoud Manuel Marco Marcus Margaret Maria María Marie Marina Mario Marion Marta Martha Martin Mary Mateo Mathieu Matteo Matthew Matthias Maximilian Megan Mehmet Melissa Michael Michel Michelle Miguel Mikael Mohamed Mohammad Mohammed Monica Mustafa
Nadia Nancy Natalia Natalie Nathan Nicholas Nicola Nicolas Nicole Niels Nikolai Nina Noah Nora
Olga Olivia Omar Oscar
Pablo Pamela Paolo Patricia Patrick Paul Paula Pedro Peter Philip Philippe Pierre Piotr Pooja Priya
Rachel Rafael Rahul Raj Rajesh Ravi Rebecca Richard Robert Roberto Rodrigo Roger Ronald Rosa Ryan
Sabine Samantha Samuel Sandra Sanjay Sara Sarah Sean Sebastian Sergei Sergio Shirley Simon Simone Sofia Sofía Sophia Sophie Stefan Stefano Stephanie Stephen Steven Susan Sven Sylvie
Tamara Tanaka Teresa Thomas Timothy Tobias Tom Tomas Tomasz Tyler
Ursula Valentina Vanessa Vera Veronica Victoria Vijay Vincent Virginie Vladimir
Walter Wei Wendy William Wolfgang Xavier Yan Yasmin Yuki Yusuf Zainab Zhang Zoe Zoë
Will Bill Mark Frank Grant Hope Joy Rose Faith Pat Sue Dawn April June Jack Rich Chase Guy Don Ray Max Miles Rob Robin Holly Ruby Amber Jade Penny Earl Victor Norman
`
  .split(/\s+/)
  .filter((n) => n.length > 0);

/** Given names that are also everyday English words: a name only when not starting a sentence. */
const EVERYDAY = new Set(['Will', 'Bill', 'Mark', 'Frank', 'Grant', 'Hope', 'Joy', 'Rose', 'Faith', 'Pat', 'Sue', 'Dawn', 'April', 'June', 'Jack', 'Rich', 'Chase', 'Guy', 'Don', 'Ray', 'Max', 'Miles', 'Rob', 'Robin', 'Holly', 'Ruby', 'Amber', 'Jade', 'Penny', 'Earl', 'Victor', 'Norman', 'Jean', 'Sara', 'Kim', 'Jun', 'Li', 'Lin', 'Yan']);

/** Capitalised words that follow given names without being surnames (days, months, places, products, office words). */
const NOT_SURNAMES = new Set(
  `Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December
  Street Road Avenue Square Park Station Airport Hospital University College School Office Building Floor Room Desk Team Support Service Services Help Helpdesk
  Server Windows Office Excel Outlook Teams Word Drive Cloud Mail Email Printer Network Update Upgrade Account Password Login Portal App Apps System Systems
  The And Or But For Not Please Thanks Thank Hello Hi Dear Regards Best Kind Yes No Ok Okay Inc Ltd Corp Company Group Bank Center Centre Department`.split(/\s+/),
);

const GIVEN = new Set(GIVEN_NAMES);
const WORD = String.raw`\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?`;
const PARTICLE = String.raw`(?:van|von|de|da|del|della|di|du|le|la|der|den|ten|ter|bin|al|el|dos|das)`;
const SURNAME = String.raw`(?:(?:Mc|Mac|O'|O’)?${WORD})`;
/** A given name, an optional middle name or initial, an optional particle, a surname; or a title and a surname. */
const NAME = new RegExp(
  String.raw`(?<![\p{L}\p{N}_.@-])(?:(?<title>(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)(?<titled>${SURNAME})|(?<given>${WORD})(?:\s+(?<middle>\p{Lu}\.|${WORD}))?\s+(?:${PARTICLE}\s+)?(?<surname>${SURNAME}))(?![\p{L}\p{N}_@]|\.[\p{L}\p{N}])`,
  'gu',
);

/** Spans [start, end) of person names in `text`. */
export function findNames(text: string): Array<{ start: number; end: number }> {
  if (!/\p{Lu}\p{Ll}/u.test(text)) return [];
  const out: Array<{ start: number; end: number }> = [];
  NAME.lastIndex = 0;
  for (let m = NAME.exec(text); m; m = NAME.exec(text)) {
    const g = m.groups!;
    if (g.titled !== undefined) {
      if (NOT_SURNAMES.has(g.titled)) continue;
      // The title stays readable in a masked copy ("Dr. [NAME]"): the span is the surname.
      const start = m.index + g.title!.length;
      out.push({ start, end: start + g.titled.length });
      continue;
    }
    const given = g.given!;
    let end = m.index + m[0].length;
    if (GIVEN.has(given) && NOT_SURNAMES.has(g.surname!) && g.middle !== undefined && !g.middle.endsWith('.') && !NOT_SURNAMES.has(g.middle)) {
      // "John Smith Office": the middle word was the surname.
      end = text.indexOf(g.middle, m.index + given.length) + g.middle.length;
      NAME.lastIndex = end;
    } else if (!GIVEN.has(given) || NOT_SURNAMES.has(g.surname!)) {
      // "Meeting with John Smith": the match started too early; try again from the next word.
      NAME.lastIndex = m.index + given.length;
      continue;
    }
    if (EVERYDAY.has(given) && startsSentence(text, m.index)) continue;
    out.push({ start: m.index, end });
  }
  return out;
}

/** At the start of the text, a line, or after . ! ? (and white space). */
function startsSentence(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return i < 0 || text[i] === '\n' || text[i] === '\r' || text[i] === '.' || text[i] === '!' || text[i] === '?' || text[i] === '"' || text[i] === '“';
}

/** "John Smith" → "J*** S***": initials only, so a report can show that a name was there. */
export function maskName(value: string): string {
  return value.replace(/(\p{L})[\p{L}'’-]*/gu, '$1***');
}

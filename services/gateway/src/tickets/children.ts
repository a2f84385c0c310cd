import type { Element } from 'libxmljs2';

/** Child elements by name. When a name repeats, the first element counts. */
export type Children = Map<string, Element>;

/**
 * Lists the child elements of `parent`. Stepping from element to element wraps only the
 * elements in JavaScript objects, where `childNodes()` also wraps every text node
 * between them.
 */
export function elementsOf(parent: Element): Element[] {
  const elements: Element[] = [];
  let node = parent.child(0);
  while (node && node.type() !== 'element') node = node.nextSibling();
  for (let element = node as Element | null; element; element = element.nextElement()) elements.push(element);
  return elements;
}

/** Collects the child elements in one walk, which costs less than an XPath query per name. */
export function childrenOf(parent: Element): Children {
  const children: Children = new Map();
  for (const element of elementsOf(parent)) {
    const name = element.name();
    if (!children.has(name)) children.set(name, element);
  }
  return children;
}

/** Returns the child elements with the given name, in document order. */
export function childrenNamed(parent: Element | undefined, name: string): Element[] {
  return parent ? elementsOf(parent).filter((element) => element.name() === name) : [];
}

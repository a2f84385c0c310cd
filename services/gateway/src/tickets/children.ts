import type { Element } from 'libxmljs2';

/** Child elements by name. When a name repeats, the first element counts. */
export type Children = Map<string, Element>;

function elementsOf(parent: Element): Element[] {
  return parent.childNodes().filter((node): node is Element => node.type() === 'element');
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

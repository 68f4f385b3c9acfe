import { render } from 'solid-js/web';

render(() => <h1>Audience import</h1>, document.getElementById('root') as HTMLElement);
